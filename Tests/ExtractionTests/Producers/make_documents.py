"""Writes documents with other producers' libraries (python-docx, openpyxl, python-pptx, fpdf2,
and Python's own email and mailbox modules) into a folder, with expected.json listing, per file, the texts an extractor must find in order."""
import datetime
import json
import mailbox
import os
import sys
from email.message import EmailMessage
from email.utils import format_datetime

from docx import Document
from fpdf import FPDF
from openpyxl import Workbook
from pptx import Presentation
from pptx.util import Inches

out = sys.argv[1]
expected = {}

doc = Document()
doc.add_heading("Harbour Retail Onboarding", level=0)
doc.add_heading("First week", level=1)
doc.add_paragraph("New agents shadow a senior colleague for three days before taking live chats.")
doc.add_paragraph("Read the refund policy", style="List Bullet")
doc.add_paragraph("Set up two-factor authentication", style="List Number")
doc.add_heading("Escalations", level=2)
table = doc.add_table(rows=2, cols=2)
table.cell(0, 0).text = "Severity"
table.cell(0, 1).text = "Response time"
table.cell(1, 0).text = "Critical"
table.cell(1, 1).text = "Fifteen minutes"
doc.add_paragraph("Überprüfung der Rückerstattung: naïve café — 東京オフィス.")
doc.save(os.path.join(out, "onboarding.docx"))
expected["onboarding.docx"] = ["Harbour Retail Onboarding", "First week", "shadow a senior colleague", "Read the refund policy",
                               "Set up two-factor authentication", "Escalations", "Severity", "Response time", "Critical",
                               "Fifteen minutes", "Überprüfung der Rückerstattung: naïve café — 東京オフィス."]

wb = Workbook()
ws = wb.active
ws.title = "Regions"
ws.append(["Region", "Revenue", "Signed"])
ws.append(["North", 1200.5, datetime.date(2025, 3, 14)])
ws.append(["South", 980, datetime.date(2025, 11, 2)])
second = wb.create_sheet("Notes")
second["A1"] = "Forecast reviewed by the finance team"
second["B2"] = True
wb.save(os.path.join(out, "regions.xlsx"))
expected["regions.xlsx"] = ["Regions", "Region", "Revenue", "Signed", "North", "1200.5", "2025-03-14", "South", "980", "2025-11-02",
                            "Notes", "Forecast reviewed by the finance team", "TRUE"]

prs = Presentation()
slide = prs.slides.add_slide(prs.slide_layouts[1])
slide.shapes.title.text = "Quarterly Review"
slide.placeholders[1].text = "Churn fell to four percent"
slide.notes_slide.notes_text_frame.text = "Mention the new onboarding flow"
slide2 = prs.slides.add_slide(prs.slide_layouts[5])
slide2.shapes.title.text = "Next Steps"
box = slide2.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
box.text_frame.text = "Hire two more agents in Lisbon"
prs.save(os.path.join(out, "review.pptx"))
expected["review.pptx"] = ["Quarterly Review", "Churn fell to four percent", "Mention the new onboarding flow", "Next Steps",
                           "Hire two more agents in Lisbon"]

pdf = FPDF()
pdf.set_title("Service Levels")
pdf.add_page()
pdf.set_font("helvetica", size=14)
pdf.cell(0, 10, "Service Levels", new_x="LMARGIN", new_y="NEXT")
pdf.set_font("helvetica", size=11)
pdf.multi_cell(0, 6, "Every ticket receives a first reply within four business hours. Priority customers are answered within one hour.")
pdf.add_page()
pdf.multi_cell(0, 6, "Uptime is measured monthly and credits are issued below 99.9 percent.")
pdf.output(os.path.join(out, "service-levels.pdf"))
expected["service-levels.pdf"] = ["Service Levels", "first reply within four business hours", "answered within one hour",
                                  "Uptime is measured monthly", "below 99.9 percent"]

message = EmailMessage()
message["From"] = "Zoë Müller <zoe@example.com>"
message["To"] = "Support <support@example.com>"
message["Subject"] = "Überblick: the Lisbon office move"
message["Date"] = format_datetime(datetime.datetime(2026, 11, 30, 8, 45, tzinfo=datetime.timezone.utc))
message.set_content("The Lisbon office moves to Rua Augusta on 14 January.\nDesks are packed on the Friday before — café included.\n")
message.add_alternative("<html><body><p>The Lisbon office moves to <b>Rua Augusta</b> on 14 January.</p></body></html>", subtype="html")
with open(os.path.join(out, "onboarding.docx"), "rb") as attachment:
    message.add_attachment(attachment.read(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="onboarding.docx")
with open(os.path.join(out, "office-move.eml"), "wb") as handle:
    handle.write(bytes(message))
expected["office-move.eml"] = ["Zoë Müller", "Überblick: the Lisbon office move", "moves to Rua Augusta on 14 January",
                               "café included", "Attachment: onboarding.docx", "Harbour Retail Onboarding", "Fifteen minutes"]

box = mailbox.mbox(os.path.join(out, "support.mbox"))
for number, line in enumerate(["From now on, refunds are approved by the team lead.", "The phone line closes at 18:00."]):
    note = EmailMessage()
    note["From"] = "lead@example.com"
    note["Subject"] = f"Note {number + 1}"
    note.set_content(line + "\n")
    box.add(note)
box.flush()
box.close()
expected["support.mbox"] = ["Note 1", "From now on, refunds are approved by the team lead.", "Note 2", "The phone line closes at 18:00."]

with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as handle:
    json.dump(expected, handle, ensure_ascii=False)
