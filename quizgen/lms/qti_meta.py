"""The two files around a Canvas QTI assessment: imsmanifest.xml and assessment_meta.xml.

Laid out as Canvas' own exports and text2qti's packages are (../shared/lms/canvas/), minus
every volatile part: no export date, identifiers derived from the exam's content.
"""

from __future__ import annotations

__all__ = ["assessment_meta", "imsmanifest"]

import xml.etree.ElementTree as ET
from collections.abc import Sequence

_CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
_IMSMD = "http://www.imsglobal.org/xsd/imsmd_v1p2"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_CANVAS = "http://canvas.instructure.com/xsd/cccv1p0"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _serialize(root: ET.Element) -> bytes:
    ET.indent(root, "  ")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode()


def imsmanifest(*, manifest_id: str, assessment_id: str, meta_id: str, title: str, files: Sequence[str]) -> bytes:
    root = ET.Element("manifest", {
        "identifier": manifest_id, "xmlns": _CP, "xmlns:imsmd": _IMSMD, "xmlns:xsi": _XSI,
        "xsi:schemaLocation": f"{_CP} http://www.imsglobal.org/xsd/imscp_v1p1.xsd {_IMSMD} http://www.imsglobal.org/xsd/imsmd_v1p2p2.xsd",
    })
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    lom_title = _sub(_sub(_sub(metadata, "imsmd:lom"), "imsmd:general"), "imsmd:title")
    _sub(lom_title, "imsmd:string", title)
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    assessment = _sub(resources, "resource", identifier=assessment_id, type="imsqti_xmlv1p2")
    _sub(assessment, "file", href=f"{assessment_id}/{assessment_id}.xml")
    _sub(assessment, "dependency", identifierref=meta_id)
    meta = _sub(resources, "resource", identifier=meta_id, type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                href=f"{assessment_id}/assessment_meta.xml")
    _sub(meta, "file", href=f"{assessment_id}/assessment_meta.xml")
    for path in files:
        resource = _sub(resources, "resource", identifier="f" + path.rsplit("/", 1)[-1].split(".")[0].replace("-", "_"),
                        type="webcontent", href=path)
        _sub(resource, "file", href=path)
    return _serialize(root)


def assessment_meta(*, assessment_id: str, assignment_id: str, group_id: str, title: str, description_html: str,
                    points: float) -> bytes:
    root = ET.Element("quiz", {
        "identifier": assessment_id, "xmlns": _CANVAS, "xmlns:xsi": _XSI,
        "xsi:schemaLocation": f"{_CANVAS} https://canvas.instructure.com/xsd/cccv1p0.xsd",
    })
    _sub(root, "title", title)
    _sub(root, "description", description_html)
    for tag, value in (("shuffle_answers", "false"), ("scoring_policy", "keep_highest"), ("hide_results", ""),
                       ("quiz_type", "assignment"), ("points_possible", f"{points:.1f}"),
                       ("require_lockdown_browser", "false"), ("show_correct_answers", "true"),
                       ("anonymous_submissions", "false"), ("could_be_locked", "false"), ("allowed_attempts", "1"),
                       ("one_question_at_a_time", "false"), ("cant_go_back", "false"), ("available", "false"),
                       ("one_time_results", "false"), ("show_correct_answers_last_attempt", "false"),
                       ("only_visible_to_overrides", "false"), ("module_locked", "false")):
        _sub(root, tag, value)
    assignment = _sub(root, "assignment", identifier=assignment_id)
    for tag, value in (("title", title), ("workflow_state", "unpublished"), ("quiz_identifierref", assessment_id),
                       ("points_possible", f"{points:.1f}"), ("grading_type", "points"),
                       ("submission_types", "online_quiz")):
        _sub(assignment, tag, value)
    _sub(root, "assignment_group_identifierref", group_id)
    return _serialize(root)
