"""Fixed words of the grader's outputs in English and Chinese (kept here, not in i18n.py, to
keep the grader's vocabulary in one place)."""

from __future__ import annotations

__all__ = ["LANGS", "gt"]

LANGS = ("en", "zh")

_TEXT: dict[str, tuple[str, str]] = {
    # verdicts
    "verdict.correct": ("correct", "正确"),
    "verdict.mistake": ("known mistake", "典型错误"),
    "verdict.wrong": ("wrong", "错误"),
    "verdict.unparseable": ("unreadable", "无法识别"),
    "verdict.blank": ("no answer", "未作答"),
    # explanations; {answer} is the student's value as read, {correct} the right one
    "correct_is": ("correct: {correct}", "正确:{correct}"),
    "unknown_wrong": ("{answer} is wrong, and not one of the usual mistakes: compare your working with the worked solution",
                      "{answer} 不正确,也不属于常见的典型错误:请对照解题过程检查"),
    "blank_answer": ("no answer given; correct: {correct}", "未作答;正确:{correct}"),
    "no_answer": ("no answer given", "未作答"),
    "see_cells": ("see the cells below", "见下表"),
    "unreadable": ("could not read the answer: {message}", "无法识别答案:{message}"),
    "rounded_read": ("{answer} read as ≈{value}", "{answer} 按约 {value} 计"),
    "rounded_outside": ("{answer} (≈{value}) is not {expected} rounded to the digits given",
                        "{answer} (≈{value}) 不是 {expected} 按所给位数四舍五入的结果"),
    "not_whole": ("{answer} (not a whole number)", "{answer}(不是整数)"),  # goes before "is wrong, and not one of ..."
    "formula_equiv": ("your formula is equivalent to {value}", "你的公式等价于 {value}"),
    # A set answer: which given values fit, which do not, and (when some fit) which more do; the
    # correct set follows anyway, so "also fits" is said only beside values that do fit.
    "values_fit_one": ("{values} fits", "{values} 符合"),
    "values_fit_many": ("{values} fit", "{values} 符合"),
    "values_extra_one": ("{values} does not fit", "{values} 不符合"),
    "values_extra_many": ("{values} do not fit", "{values} 不符合"),
    "values_missing_one": ("{values} also fits", "{values} 也符合"),
    "values_missing_many": ("{values} also fit", "{values} 也符合"),
    "choice_read": ("option {letter} ({value})", "选项 {letter} ({value})"),
    "cell.shape": ("row {n} ({name}) output shape", "第 {n} 行 ({name}) 输出形状"),
    "cell.params": ("row {n} ({name}) parameters", "第 {n} 行 ({name}) 参数量"),
    "cell.total_params": ("total parameters", "总参数量"),
    "cell.trainable_params": ("trainable parameters", "可训练参数"),
    "cell.non_trainable_params": ("non-trainable parameters", "不可训练参数"),
    "cell.dim": ("dimension {n}", "第 {n} 维"),
    "cells_blank": ("left blank: {cells}", "未填写:{cells}"),
    "parts_extra": ("{n} extra part(s) ignored", "多出的 {n} 部分未计分"),
    # pages
    "feedback_title": ("Feedback", "答题反馈"),
    "report_title": ("Grading report", "成绩报告"),
    "student": ("Student", "学生"),
    "variant": ("Variant", "试卷版本"),
    "score": ("Score", "得分"),
    "question": ("Question", "题目"),
    "your_answer": ("Your answer", "你的答案"),
    "verdict": ("Verdict", "判定"),
    "explanation": ("Explanation", "解释"),
    "solution": ("Worked solution", "解题过程"),
    "network": ("Network", "网络"),
    "points": ("points", "分"),
    "point": ("point", "分"),
    "no_response": ("No response was found for this student.", "没有找到该学生的答卷。"),
    "summary": ("Summary", "概况"),
    "students_in_key": ("students in the key", "答案文件中的学生"),
    "graded": ("graded", "已评分"),
    "without_response": ("without a response", "未提交"),
    "problems": ("Problems", "问题"),
    "no_problems": ("No problems: every row was matched to one student.", "没有问题:每一行都对应到唯一的学生。"),
    "source": ("Responses", "答卷文件"),
    "distribution": ("Score distribution", "分数分布"),
    "mean": ("mean", "平均"),
    "median": ("median", "中位数"),
    "min": ("min", "最低"),
    "max": ("max", "最高"),
    "questions": ("Questions", "各题情况"),
    "difficulty": ("difficulty", "难度"),
    "mean_score": ("mean score", "平均得分"),
    "pct_correct": ("correct", "正确率"),
    "kind": ("kind", "题型"),
    "common_mistakes": ("Most common mistakes", "最常见的错误"),
    "mistake_title": ("Mistake", "错误类型"),
    "code": ("code", "代码"),
    "data": ("row as read", "原始数据"),
    "share_note": ("n: answers with this diagnosis; %: share of all graded answers",
                   "n:出现该诊断的答案数;%:占全部已评分答案的比例"),
    "example_prompt": ("e.g.", "例如"),
    "none_diagnosed": ("no diagnosed mistakes", "没有诊断出典型错误"),
    "row": ("row", "行"),
    "problem_kind": ("problem", "问题类型"),
    "message": ("message", "说明"),
    "students_axis": ("students", "人数"),
    "difficulty_note": ("difficulty = 1 − mean score / points (0 easy, 1 hard)",
                        "难度 = 1 − 平均得分 / 分值 (0 最易, 1 最难)"),
}


def gt(key: str, lang: str = "en") -> str:
    en, zh = _TEXT[key]
    return zh if lang == "zh" else en
