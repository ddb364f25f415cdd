"""Label Studio: a local server (server.py), the SDK client (client.py, the only module importing
label_studio_sdk), pure LS JSON results <-> AnnotatedDoc conversion (results.py), and push / pull (sync.py).

Nothing is imported here, so that `import annotate.labelstudio.results` stays free of the SDK's slow import.
"""
