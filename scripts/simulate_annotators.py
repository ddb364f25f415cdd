"""Stand in for two people in the demo: submit annotations to the Label Studio project through the API.

alice submits the hand-built gold of each seed article; bob accepts the model's predictions as they are.
A real session does this in the browser. Re-running adds nothing: a user's existing annotation is kept.
"""

from __future__ import annotations

import argparse
import sys

from annotate.labelstudio.client import LabelStudioClient
from annotate.labelstudio.results import doc_to_results
from annotate.records import read_docs
from annotate.schema import load_schema

ANNOTATORS = {"alice.demo@example.org": "gold", "bob.demo@example.org": "predictions"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", required=True)
    parser.add_argument("--predictions", required=True)
    parser.add_argument("--gold", required=True)
    args = parser.parse_args()

    schema = load_schema()
    versions = {"gold": {doc.doc_id: doc for doc in read_docs(args.gold)},
                "predictions": {doc.doc_id: doc for doc in read_docs(args.predictions)}}
    client = LabelStudioClient.from_environment()
    project = client.find_project(args.project)
    if project is None:
        print(f"no project titled {args.project!r}; run `annotate push` first", file=sys.stderr)
        return 1
    users = {email: user_id for user_id, email in client.user_emails().items()}
    done = {(task["id"], annotation.get("completed_by"))
            for task in client.export(project.id) for annotation in task.get("annotations", [])}
    tasks = client.task_doc_ids(project.id)
    if tasks:
        print(f"Open the first task in the browser: {client.url}/projects/{project.id}/data?task={tasks[0][0]}",
              file=sys.stderr)
    for email, version in ANNOTATORS.items():
        user_id = users.get(email) or client.create_user(email)
        created = 0
        for task_id, doc_id, _ in tasks:
            doc = versions[version].get(doc_id)
            if doc is None or (task_id, user_id) in done:
                continue
            client.create_annotation(task_id, doc_to_results(doc, schema), completed_by=user_id, lead_time=60.0)
            created += 1
        print(f"{email}: submitted {created} annotation(s) ({version})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
