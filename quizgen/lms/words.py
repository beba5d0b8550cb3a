"""Fixed text the LMS exports add around a question, in English and Chinese.

Kept here rather than in quizgen/i18n.py: these words only exist in LMS exports (feedback
for answers an LMS grades, notes about what an LMS cannot check).
"""

from __future__ import annotations

__all__ = ["w"]

_TEXT: dict[str, tuple[str, str]] = {
    "correct": ("Correct.", "正确。"),
    "worked_solution": ("Worked solution", "解答过程"),
    "not_a_known_mistake": ("This is not one of the usual mistakes. Compare each step with the worked solution:",
                            "这不是常见错误之一。请对照解答过程逐步检查:"),
    "one_value": ("Enter one value: every value that fits is accepted.", "填写一个值即可:所有符合条件的值都算对。"),
    "common_mistakes": ("Common mistakes (not accepted)", "常见错误(不得分)"),
    "diagram_alt": ("Layer diagram of the network", "网络结构图"),
    "diagram_input": ("Input", "输入"),
    "reference": ("Question reference", "题目编号"),
    "shape_format": ("Answer with the sizes separated by commas, e.g. {example}.", "用逗号分隔各维大小作答,例如 {example}。"),
    "formula_grading": ("Graded by quizgen (symbolic equivalence): any equivalent form of the formula is correct.",
                        "由 quizgen 按符号等价评分:与正确公式等价的任何写法都算对。"),
    "formula_answer": ("Correct formula", "正确公式"),
    "summary_cells": ("Write one cell per line: 0.shape: … and 0.params: … for each layer (0 is the first layer), "
                      "then total_params: …", "每行写一个单元格:每一层写 0.shape: … 和 0.params: …(0 表示第一层),最后写 total_params: …"),
    "summary_grading": ("Graded by quizgen from the exported responses: fill in every output shape and parameter count.",
                        "由 quizgen 根据导出的作答评分:填写每一层的输出形状和参数量。"),
    "category_info": ("Variants of quizgen question {qid} ({n} distinct). Add one random question from this category "
                      "per quiz slot so every student gets a different variant. For quizgen grade, download the quiz's "
                      "Responses report with \"question text\" ticked: it names the variant each student got.",
                      "quizgen 题目 {qid} 的各个版本(共 {n} 个)。测验中每个位置添加一道来自本类别的随机题目,"
                      "每位学生就会得到不同的版本。用 quizgen grade 评分时,下载测验的 Responses 报告并勾选"
                      "“question text”(题目文本):报告据此写明每位学生拿到的版本。"),
    "exam_info": ("Exported by quizgen {version}: {title}.", "由 quizgen {version} 导出:{title}。"),
}


def w(key: str, lang: str, **values: object) -> str:
    en, zh = _TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
