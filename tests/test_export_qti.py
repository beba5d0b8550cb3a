"""Canvas QTI 1.2 export: schema-valid, laid out like Canvas' own exports, deterministic zip."""

from __future__ import annotations

import html
import io
import zipfile
from typing import Any

import pytest
from test_export_support import qti_schema, shared, small_exam

from quizgen.exam import Exam, QuestionKind
from quizgen.lms import LmsFormat, cloze_parts, export_exam
from quizgen.lms.content import explanation
from quizgen.lms.groups import exam_groups

etree = pytest.importorskip("lxml.etree")
NS = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}

@pytest.fixture(scope="module")
def exam() -> Exam:
    return small_exam()



def _zip(exam: Exam, lang: str = "en") -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export_exam(exam, LmsFormat.QTI, lang=lang)))


def _assessment(archive: zipfile.ZipFile) -> Any:
    names = [n for n in archive.namelist() if n.endswith(".xml") and n.count("/") == 1 and not n.endswith("assessment_meta.xml")]
    assert len(names) == 1
    folder, file = names[0].split("/")
    assert file == folder + ".xml"  # <assessment ident>/<assessment ident>.xml
    return etree.fromstring(archive.read(names[0]))


def _field(item: Any, label: str) -> str:
    return str(item.xpath(f"q:itemmetadata//q:qtimetadatafield[q:fieldlabel='{label}']/q:fieldentry/text()", namespaces=NS)[0])


def test_assessment_is_valid_qti_1_2(exam: Exam) -> None:
    schema = qti_schema()
    for lang in ("en", "zh"):
        document = _assessment(_zip(small_exam(lang)))
        assert schema.validate(document), schema.error_log


def test_canvas_fixtures_validate_too() -> None:
    """The validator itself is right: Canvas' own numerical export passes it."""
    document = etree.parse(str(shared("canvas/qti12/instructure_qti_numeric_answer_feedback.xml")))
    assert qti_schema().validate(document)


def test_zip_is_deterministic_and_complete(exam: Exam) -> None:
    data = export_exam(exam, LmsFormat.QTI)
    assert data == export_exam(small_exam(), LmsFormat.QTI)
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    hrefs = manifest.xpath("//*[local-name()='file']/@href")
    assert sorted(hrefs) == sorted(n for n in archive.namelist() if n != "imsmanifest.xml")
    meta = etree.fromstring(archive.read(next(n for n in archive.namelist() if n.endswith("assessment_meta.xml"))))
    points = sum(g.pick * g.points for g in exam_groups(exam))
    assert meta.findtext("{http://canvas.instructure.com/xsd/cccv1p0}points_possible") == f"{points:.1f}"
    # every diagram a question shows is in the package
    document = _assessment(archive)
    for text in document.xpath("//q:presentation/q:material/q:mattext/text()", namespaces=NS):
        src = text.split('src="%24IMS-CC-FILEBASE%24/')[1].split('"')[0]
        assert src in archive.namelist()


def test_one_question_group_per_template_picking_one_variant(exam: Exam) -> None:
    document = _assessment(_zip(exam))
    sections = document.xpath("//q:section[@ident='root_section']/q:section", namespaces=NS)
    groups = exam_groups(exam)
    assert [s.get("title") for s in sections] == [g.template for g in groups]
    for section, group in zip(sections, groups, strict=True):
        number = section.xpath("q:selection_ordering/q:selection/q:selection_number/text()", namespaces=NS)
        assert number == [str(group.pick)]
        assert group.pick == (2 if group.template == "conv-params" else 1)
        assert [i.get("title") for i in section.xpath("q:item", namespaces=NS)] == [e.name for e in group.entries]


def _items(exam: Exam) -> list[tuple[Any, Any]]:
    entries = {e.name: e.question for g in exam_groups(exam) for e in g.entries}
    return [(item, entries[item.get("title")]) for item in _assessment(_zip(exam)).xpath("//q:item", namespaces=NS)]


def test_numerical_items_follow_canvas_and_carry_mistake_feedback(exam: Exam) -> None:
    checked = 0
    for item, source in _items(exam):
        if _field(item, "question_type") != "numerical_question":
            continue
        checked += 1
        assert item.xpath("q:presentation/q:response_str/q:render_fib/@fibtype", namespaces=NS) == ["Decimal"]
        scored = item.xpath("q:resprocessing/q:respcondition[q:setvar='100']", namespaces=NS)
        accepted = source.answer if isinstance(source.answer, list) else [source.answer]
        assert len(scored) == len(accepted)
        for condition, value in zip(scored, accepted, strict=True):
            assert condition.get("continue") == "No"
            either = condition.xpath("q:conditionvar/q:or", namespaces=NS)[0]  # Canvas' exact answer: varequal or [gte, lte]
            assert either.xpath("q:varequal/text()", namespaces=NS) == [str(value)]
            assert either.xpath("q:and/q:vargte/text()", namespaces=NS) == [str(value)]
            assert either.xpath("q:and/q:varlte/text()", namespaces=NS) == [str(value)]
        feedback = {f.get("ident"): html.unescape("".join(f.itertext())) for f in item.xpath("q:itemfeedback", namespaces=NS)}
        assert "Worked solution" in feedback["general_fb"]
        for mistake in source.mistakes:
            condition = item.xpath(f"q:resprocessing/q:respcondition[q:conditionvar/q:varequal='{mistake.value}']", namespaces=NS)
            assert len(condition) == 1 and condition[0].find("q:setvar", NS) is None  # feedback only, never a score
            ref = condition[0].find("q:displayfeedback", NS).get("linkrefid")
            first = next(m for m in source.mistakes if m.value == mistake.value)
            assert explanation(first, "en") in feedback[ref]
            assert explanation(first, "en") in feedback["general_incorrect_fb"]  # what Canvas shows
    assert checked >= 8


def test_shapes_and_summaries_are_fill_in_multiple_blanks(exam: Exam) -> None:
    for item, source in _items(exam):
        if source.kind not in (QuestionKind.OUTPUT_SHAPE, QuestionKind.SUMMARY):
            continue
        assert _field(item, "question_type") == "fill_in_multiple_blanks_question"
        text = item.xpath("q:presentation/q:material/q:mattext/text()", namespaces=NS)[0]
        parts = cloze_parts(source)
        lids = item.xpath("q:presentation/q:response_lid/@ident", namespaces=NS)
        assert lids == [f"response_p{i}" for i in range(1, len(parts) + 1)]
        assert all(f"[p{i}]" in text for i in range(1, len(parts) + 1))
        if source.kind is QuestionKind.OUTPUT_SHAPE:
            answers = item.xpath("q:presentation/q:response_lid//q:response_label//q:mattext/text()", namespaces=NS)
            assert answers == [str(d) for d in source.answer]


def test_choice_and_formula_items(exam: Exam) -> None:
    for item, source in _items(exam):
        if source.kind is QuestionKind.CHOICE:
            assert _field(item, "question_type") == "multiple_choice_question"
            labels = item.xpath("q:presentation/q:response_lid/q:render_choice/q:response_label/@ident", namespaces=NS)
            correct = item.xpath("q:resprocessing/q:respcondition[q:setvar='100']/q:conditionvar/q:varequal/text()", namespaces=NS)
            assert correct == [labels[source.answer]]
        if source.kind is QuestionKind.FORMULA:
            assert _field(item, "question_type") == "essay_question"
            general = "".join(item.xpath("q:itemfeedback[@ident='general_fb']//text()", namespaces=NS))
            assert "63·(3·3·32 + 1) = 18207" in html.unescape(general)


def test_chinese_survives() -> None:
    document = _assessment(_zip(small_exam("zh"), "zh"))
    texts = " ".join(document.xpath("//q:mattext/text()", namespaces=NS))
    assert "有多少个参数" in texts and "忘了每个卷积核要覆盖全部" in html.unescape(texts)
