"""Canvas QTI 1.2 package: a zip with imsmanifest.xml, the assessment and assessment_meta.xml.

One question group (a QTI section with ``selection_number``) per template, so Canvas draws
one variant per student from each group. The zip is deterministic: entries sorted, every
timestamp fixed, permissions fixed, so the same exam gives the same bytes.
"""

from __future__ import annotations

__all__ = ["QTI_NAMESPACE", "assessment_xml", "qti_package"]

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence

from ..exam import Exam
from .content import diagram_file, escape, text_in
from .groups import Entry, Group, exam_groups, exam_label, stable_id
from .halves import in_two
from .qti_items import qti_item
from .qti_meta import assessment_meta, imsmanifest
from .xmltext import indented

QTI_NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no build time leaks in


def _ids(exam: Exam, lang: str) -> dict[str, str]:
    base = f"{exam_label(exam)}\x1f{lang}"
    return {name: "i" + stable_id(base, name) for name in ("assessment", "manifest", "meta", "assignment", "group")}


_ITEM = "__quizgen_item__"  # stands for an item in the skeleton; no text can hold it (ElementTree escapes "<")
_ITEM_LEVEL = 4  # questestinterop > assessment > root_section > the group's section > item


def assessment_xml(exam: Exam, *, lang: str, images: dict[str, bytes] | None = None,
                   groups: Sequence[Group] | None = None, jobs: int = 1) -> bytes:
    """The assessment document; ``images`` collects the diagram files it refers to (name -> bytes).

    Each item is laid out and written on its own (`xmltext.indented`), as ``ET.indent`` and ``ET.tostring``
    of the whole document lay it out there, and put in place of its stand-in in the rest of the document: a
    3000-question class set is 38 MB of items, and ``jobs`` > 1 writes half of them in a second
    process (`halves.in_two`)."""
    ids = _ids(exam, lang)
    base = f"{exam_label(exam)}\x1f{lang}"
    root = ET.Element("questestinterop", {
        "xmlns": QTI_NAMESPACE, "xmlns:xsi": _XSI,
        "xsi:schemaLocation": f"{QTI_NAMESPACE} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd",
    })
    assessment = ET.SubElement(root, "assessment", ident=ids["assessment"], title=exam_label(exam))
    field = ET.SubElement(ET.SubElement(assessment, "qtimetadata"), "qtimetadatafield")
    ET.SubElement(field, "fieldlabel").text = "cc_maxattempts"
    ET.SubElement(field, "fieldentry").text = "1"
    root_section = ET.SubElement(assessment, "section", ident="root_section")
    groups = exam_groups(exam) if groups is None else groups
    for group in groups:
        section = ET.SubElement(root_section, "section", ident="g" + stable_id(base, "group", group.template), title=group.template)
        selection = ET.SubElement(ET.SubElement(section, "selection_ordering"), "selection")
        ET.SubElement(selection, "selection_number").text = str(group.pick)
        ET.SubElement(ET.SubElement(selection, "selection_extension"), "points_per_item").text = f"{group.points:g}"
        for _ in group.entries:
            ET.SubElement(section, _ITEM)

    def write(entry: Entry) -> tuple[str, tuple[str, bytes] | None]:
        diagram = diagram_file(entry.question, lang)
        src = None if diagram is None else f"%24IMS-CC-FILEBASE%24/images/{diagram[0]}"
        item = qti_item(entry, "i" + stable_id(base, "item", entry.name), "i" + stable_id(base, "ref", entry.name), src, lang)
        return indented(item, _ITEM_LEVEL), diagram

    items = in_two([entry for group in groups for entry in group.entries], write, jobs=jobs)
    if images is not None:
        for _, diagram in items:
            if diagram is not None:
                images[f"images/{diagram[0]}"] = diagram[1]
    ET.indent(root, "  ")
    pieces = ET.tostring(root, encoding="unicode").split(f"<{_ITEM} />")
    text = pieces[0] + "".join(item + piece for (item, _), piece in zip(items, pieces[1:], strict=True))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode()


def _description(exam: Exam, lang: str) -> str:
    text = text_in(exam.instructions, lang) if exam.instructions else ""
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


def _zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever system writes it, so the bytes match everywhere
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def qti_package(exam: Exam, *, lang: str, groups: Sequence[Group] | None = None, jobs: int = 1) -> bytes:
    """The zip to import into Canvas (Settings → Import course content → QTI .zip file); ``groups`` and ``jobs``
    as for `moodle_xml`."""
    ids = _ids(exam, lang)
    images: dict[str, bytes] = {}
    groups = exam_groups(exam) if groups is None else groups
    files = {f"{ids['assessment']}/{ids['assessment']}.xml": assessment_xml(exam, lang=lang, images=images, groups=groups, jobs=jobs)}
    points = sum(group.pick * group.points for group in groups)
    files[f"{ids['assessment']}/assessment_meta.xml"] = assessment_meta(
        assessment_id=ids["assessment"], assignment_id=ids["assignment"], group_id=ids["group"], title=exam_label(exam),
        description_html=_description(exam, lang), points=points)
    files.update(images)
    files["imsmanifest.xml"] = imsmanifest(manifest_id=ids["manifest"], assessment_id=ids["assessment"], meta_id=ids["meta"],
                                           title=exam_label(exam), files=sorted(images))
    return _zip(files)
