"""Drives the sandbox with Google's official Python client (google-api-python-client).

Uses the Drive v3 discovery document bundled with the library (static discovery) and points
the client at the sandbox with client_options.api_endpoint. Prints a JSON summary.
Usage: google_drive_client.py SANDBOX_ORIGIN ACCESS_TOKEN
"""
import io
import json
import sys

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import MediaIoBaseDownload

origin, token = sys.argv[1], sys.argv[2]
drive = build(
    "drive", "v3", credentials=Credentials(token=token), static_discovery=True, cache_discovery=False,
    client_options={"api_endpoint": f"{origin}/www.googleapis.com/drive/v3/"},
)

def list_all(**kwargs):
    files, request, pages = [], drive.files().list(**kwargs), 0
    while request is not None:
        response = request.execute()
        files.extend(response.get("files", []))
        pages += 1
        request = drive.files().list_next(request, response)
    return files, pages

root, _ = list_all(q="'root' in parents and trashed = false", fields="nextPageToken, files(id, name, mimeType, size)", pageSize=50)
archive = next(f for f in root if f["name"] == "Archive 2019-2023")
weekly, pages = list_all(q=f"'{archive['id']}' in parents", fields="nextPageToken, files(id, name)", pageSize=400)
docs = next(f for f in root if f["name"] == "Product Docs")
product, _ = list_all(q=f"'{docs['id']}' in parents", fields="nextPageToken, files(id, name, size, md5Checksum)")
pdf = next(f for f in product if f["name"] == "Product Overview.pdf")

buffer = io.BytesIO()
downloader = MediaIoBaseDownload(buffer, drive.files().get_media(fileId=pdf["id"]), chunksize=1024)
done = False
chunks = 0
while not done:
    _, done = downloader.next_chunk()
    chunks += 1

handbook = next(f for f in root if f["name"] == "Onboarding Handbook")
text = drive.files().export(fileId=handbook["id"], mimeType="text/plain").execute().decode("utf-8")
about = drive.about().get(fields="user(emailAddress)").execute()
drives = drive.drives().list(pageSize=10).execute().get("drives", [])

print(json.dumps({
    "rootNames": sorted(f["name"] for f in root),
    "archiveCount": len(weekly),
    "archivePages": pages,
    "productDocs": sorted(f["name"] for f in product),
    "pdfBytes": len(buffer.getvalue()),
    "pdfSizeField": pdf["size"],
    "pdfChunks": chunks,
    "pdfStartsWith": buffer.getvalue()[:5].decode("latin-1"),
    "handbookHasHoliday": "28 days of paid holiday" in text,
    "email": about["user"]["emailAddress"],
    "sharedDrives": sorted(d["name"] for d in drives),
}))
