"""The rule families of the roles component, one module per kind of cue: each takes a cue candidate (or scans the
Doc) and returns the Attribution it finds, with its SOURCE, CLAIMs and SUPPLEMENTs."""
