"""Basecamp: projects -> each project's enabled schedules -> their entries, then todos and
messages from the recordings endpoint; every list follows ``Link: rel="next"``."""

from __future__ import annotations

from bench.limit.common import Client, RecordWriter


def run(root: str, writer: RecordWriter) -> None:
    client = Client("tap-basecamp")
    creds = client.creds
    client.refresh_token_grant(f"{root}/basecamp/launchpad/authorization/token")
    api = f"{root}/basecamp/{creds['account_id']}"
    for projects in client.link_pages(f"{api}/projects.json"):
        writer.write("projects", projects)
        for project in projects:
            pid = project["id"]
            body, _ = client.get(f"{api}/projects/{pid}.json")
            schedules = [{**tool, "project_id": pid} for tool in body.get("dock") or []
                         if tool.get("name") == "schedule" and tool.get("enabled")]
            writer.write("schedules", schedules)
            for schedule in schedules:
                url = f"{api}/buckets/{pid}/schedules/{schedule['id']}/entries.json"
                for entries in client.link_pages(url):
                    writer.write("schedule_entries", entries)
    for stream, kind in [("todos", "Todo"), ("messages", "Message")]:
        params = {"type": kind, "sort": "updated_at", "direction": "desc"}
        for records in client.link_pages(f"{api}/projects/recordings.json", params):
            writer.write(stream, records)
