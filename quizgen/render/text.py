"""Fixed words of worksheets and answer keys, in English and Chinese.

Kept here rather than in quizgen/i18n.py so the rendering package owns its vocabulary; the
column names of the model.summary() table come from i18n so they read exactly like
`quizgen solve`.
"""

from __future__ import annotations

__all__ = ["LANGS", "words"]

from functools import cache

from ..i18n import t

LANGS = ("en", "zh")

_TEXT: dict[str, tuple[str, str]] = {
    "worksheet": ("Worksheet", "练习卷"),
    "answer_key": ("Answer key", "答案"),
    "course": ("Course", "课程"),
    "name": ("Name", "姓名"),
    "student_id": ("Student ID", "学号"),
    "variant": ("Variant", "版本"),
    "total_points": ("Points", "总分"),
    "instructions": ("Instructions", "说明"),
    "question": ("Question {n}", "第 {n} 题"),
    "point": ("point", "分"),
    "points": ("points", "分"),
    "network_code": ("The network", "网络代码"),
    "diagram": ("Layer diagram", "网络结构图"),
    "diagram_label": ("Layer diagram of the network", "网络结构图"),
    "input": ("Input", "输入"),
    "same_network": ("Layers: as in question {n}.", "各层同第 {n} 题。"),
    "col_index": ("#", "#"),
    "col_layer": ("Layer (name)", "层 (名称)"),
    "col_type": ("Type", "类型"),
    "col_args": ("Arguments", "参数设置"),
    "col_shape": ("Output shape", "输出形状"),
    "col_params": ("Param #", "参数量"),
    "col_macs": ("MACs", "乘加次数"),
    "answer": ("Answer", "答"),
    "answer_exact": ("a whole number, written out in full", "整数,完整写出"),
    "answer_rounded": ("rounded answers such as 1.18M are accepted", "可以写近似值,例如 1.18M"),
    "answer_decimals": ("rounded to {n} decimal places", "保留 {n} 位小数"),
    "answer_whole": ("rounded to a whole number", "四舍五入到整数"),
    "answer_shape_keras": ("the first (batch) dimension is None", "第一维(批维度)为 None"),
    "answer_shape_torch": ("batch dimension left out", "不含批维度"),
    "answer_values": ("every value that fits", "所有符合的值"),
    "answer_formula": ("using only", "只用"),
    "choose_one": ("Mark one option.", "选择一项。"),
    "solution": ("Worked solution", "解题过程"),
    "correct_answer": ("Correct answer", "正确答案"),
    "accepted_values": ("accepted", "可接受"),
    "common_mistakes": ("Common wrong answers", "常见错误答案"),
    "more_mistakes": ("More expected wrong answers, in key.json: {n}.", "key.json 中另有 {n} 个可预见的错误答案。"),
    "no_mistakes": ("No typical wrong answer is catalogued for this question.", "此题没有收录典型错误答案。"),
    "hidden_arg": ("hidden on the worksheet", "练习卷上隐藏"),
    "cell_total": ("total params", "总参数量"),
    "page": ("Page", "第"),
    "page_of": ("of", "页,共"),
    "page_end": ("", "页"),
    "answer_grid": ("Answers", "答案总表"),
    "answer_grid_note": ("Correct answers; worked solutions and the common wrong answers are in keys.pdf.",
                         "正确答案;解题过程和常见错误答案见 keys.pdf。"),
    "question_short": ("Q{n}", "第{n}题"),
    "rounding_note": ("Rounded answers accepted.", "允许近似值。"),
    "summary_hint": ("Write every output shape as the framework prints it: Keras' model.summary() with the batch as None, "
                     "PyTorch without the batch dimension.",
                     "按框架的格式写出每层输出形状:Keras 的 model.summary() 批维度写 None,PyTorch 不含批维度。"),
}

_FROM_I18N = ("layer", "output_shape", "params", "connected_to", "total_params", "trainable_params", "non_trainable_params")


@cache
def words(lang: str) -> dict[str, str]:
    """Every fixed word for ``lang`` (one dict per language, built once and shared by all renders)."""
    zh = lang == "zh"
    table = {key: (pair[1] if zh else pair[0]) for key, pair in _TEXT.items()}
    for key in _FROM_I18N:
        table[f"sum_{key}"] = t(key, lang)
    return table
