"""Drives the sandbox with atlassian-python-api's ConfluenceV2 (the REST v2 client).

Points the client at the gateway prefix of the sandbox (plain http is fine with a bearer token)
and prints a JSON summary. Usage: confluence_client.py SANDBOX_ORIGIN CLOUD_ID ACCESS_TOKEN
"""
import json
import sys

from atlassian import ConfluenceV2

origin, cloud_id, token = sys.argv[1], sys.argv[2], sys.argv[3]
confluence = ConfluenceV2(url=f"{origin}/api.atlassian.com/ex/confluence/{cloud_id}/wiki", token=token)

spaces = confluence.get_spaces(limit=1)
cs = next(s for s in spaces if s["key"] == "CS")
home = confluence.get_page_by_id(cs["homepageId"], body_format="storage")
children = confluence.get_child_pages(home["id"], limit=250)
standups = next(c for c in children if c["title"] == "Stand-up Notes")
notes = confluence.get_child_pages(standups["id"], limit=100)

print(json.dumps({
    "spaceKeys": sorted(s["key"] for s in spaces),
    "homeTitle": home["title"],
    "homeHasBody": "Customer Success" in home["body"]["storage"]["value"],
    "children": sorted(c["title"] for c in children),
    "standupCount": len(notes),
}))
