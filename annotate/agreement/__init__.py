"""Inter-annotator agreement on spans, tokens, relations, attribution triples and attributes, with bootstrap CIs.

`compute(docs, bootstrap=1000, seed=0, include_models=False)` takes AnnotatedDoc records (several annotators per
doc_id) and returns an `AgreementReport`; `render(report)` gives rich tables, `report.to_dict()` the stable JSON.
"""

from .collect import AgreementError
from .compute import compute
from .report import AgreementReport, Coefficient, is_report_file, render

__all__ = ["AgreementError", "AgreementReport", "Coefficient", "compute", "is_report_file", "render"]
