"""Fixed words of practice mode (terminal drill and practice pages) in English and Chinese.

Kept here rather than in quizgen/i18n.py so practice mode owns its vocabulary, like the
grader (grading/text.py) and the worksheets (render/text.py) do.
"""

from __future__ import annotations

__all__ = ["LANGS", "pt", "words"]

from functools import cache

LANGS = ("en", "zh")

_TEXT: dict[str, tuple[str, str]] = {
    # verdicts
    "verdict.correct": ("correct", "正确"),
    "verdict.mistake": ("known mistake", "典型错误"),
    "verdict.wrong": ("not right", "不对"),
    "verdict.unparseable": ("could not read that", "无法识别"),
    "verdict.blank": ("no answer yet", "尚未作答"),
    "verdict.skipped": ("skipped", "已跳过"),
    # terminal drill
    "banner": ("quizgen practice — type an answer, or: hint, skip, quit (Ctrl-D also ends).",
               "quizgen 练习 —— 输入答案,或输入:hint(提示)、skip(跳过)、quit(退出),也可按 Ctrl-D 结束。"),
    "question_head": ("Question {n}", "第 {n} 题"),
    "prompt": ("answer", "答案"),
    "points_won": ("+{score} of {points}", "得 {score} / {number} 分"),
    "worked_solution": ("Worked solution", "解题过程"),
    "your_answer": ("your answer: {answer}", "你的答案:{answer}"),
    "not_known": ("it is not one of the mistakes quizgen knows for this question", "它不属于 quizgen 对此题已知的典型错误"),
    "hint": ("Hint", "提示"),
    "no_hint": ("No hint for this question: look at the worked solution after answering.", "此题没有提示:作答后请看解题过程。"),
    "answer_was": ("The answer: {answer}", "答案:{answer}"),
    "retry": ("Try again, or type hint, skip or quit.", "请重新输入,或输入 hint、skip、quit。"),
    "empty": ("Type an answer (or hint, skip, quit).", "请输入答案(或 hint、skip、quit)。"),
    "unusable": ("note: left out {template} ({reason})", "注意:已略过 {template}({reason})"),
    "nothing_left": ("No question can be drawn any more.", "已没有可出的题目。"),
    "summary": ("Practice summary", "练习小结"),
    "summary_questions": ("questions: {n} (answered {answered}, skipped {skipped})", "题数:{n}(作答 {answered},跳过 {skipped})"),
    "summary_verdicts": ("correct {correct} · known mistakes {mistake} · other wrong answers {wrong}",
                         "正确 {correct} · 典型错误 {mistake} · 其他错误 {wrong}"),
    "summary_score": ("score: {score} of {points} ({percent:.0f}%)", "得分:{score} / {number} 分({percent:.0f}%)"),
    "summary_none": ("No question answered.", "没有作答。"),
    "summary_mistakes": ("mistakes made:", "出现的典型错误:"),
    "summary_clean": ("no known mistake made", "没有出现典型错误"),
    # answer formats, shown under a question
    "fmt_count": ("a whole number (arithmetic like 2*(3*3+1) is fine)", "整数(可写算式,例如 2*(3*3+1))"),
    "fmt_shape_keras": ("a shape written like (None, H, W, C) in numbers; the batch None may be left out",
                        "按 (None, H, W, C) 的格式用数字写出形状;批维度 None 可省略"),
    "fmt_shape_torch": ("a shape written like [C, H, W] in numbers, batch dimension left out",
                        "按 [C, H, W] 的格式用数字写出形状,不含批维度"),
    "fmt_size": ("{axis} = a whole number", "{axis} = 整数"),
    "fmt_values": ("{arg} = every value that fits, e.g. 3 or 3, 5", "{arg} = 所有符合的值,例如 3 或 3, 5"),
    "fmt_formula": ("a formula using only {symbols}", "只用 {symbols} 写出公式"),
    "fmt_choice": ("a letter", "一个字母"),
    "formula_hint": ("{values}: your formula must give {value} here.", "{values}:此时你的公式应等于 {value}。"),
    "formula_symbols": ("In this network {values}: write the parameter count with these symbols, not with the numbers.",
                        "此网络中 {values}:请用这些符号(而不是数字)写出参数量。"),
    "hint_total": ("add up every layer's count:", "把每一层的数量加起来:"),
    "hint_flops": ("FLOPs = 2·MACs", "FLOPs = 2·MACs"),
    # practice page
    "page_kind": ("Practice", "自测练习"),
    "page_note": ("For practice, not for exams: every answer box checks itself in your browser, without a network. "
                  "The answers are stored in this page as salted hashes, which only keeps them out of sight: "
                  "do not hand this page out during an exam.",
                  "仅供练习,不可用于考试:每个答题框都在浏览器中自行判定,无需联网。答案以加盐哈希的形式存放在本页中,"
                  "只是不直接可见:考试时请勿分发本页。"),
    "check": ("Check", "判定"),
    "show_solution": ("Show the worked solution", "显示解题过程"),
    "progress": ("boxes right", "个答题框正确"),
    "no_crypto": ("This browser cannot check answers on this page (open the file directly, or over https).",
                  "此浏览器无法在本页判定答案(请直接打开文件,或通过 https 访问)。"),
    "not_checkable": ("This box cannot check itself; compare with the worked solution.", "此框无法自动判定;请对照解题过程。"),
    "partial": ("{value} fits, but it is not the only value that does.", "{value} 符合,但符合的值不止这一个。"),
    "page_wrong": ("Not right, and not a mistake quizgen knows for this question. Check your working and try again.",
                   "不对,也不属于此题已知的典型错误。请检查计算后重试。"),
    "page_blank": ("Type an answer first.", "请先输入答案。"),
    "err_count": ("expected a whole number or an arithmetic expression like 2*(3*3+1)", "应为整数或算式(如 2*(3*3+1))"),
    "err_shape": ("expected a shape written like (H, W, C), (None, H, W, C), HxWxC or C@HxW in whole numbers",
                  "应为形状,写法如 (H, W, C)、(None, H, W, C)、HxWxC 或 C@HxW(均为整数)"),
    "err_decimal": ("expected a number like 1.5 or 88.9 (a unit after it, such as MiB or %, may be written)",
                    "应为数,如 1.5 或 88.9 (后面可以写单位,如 MiB 或 %)"),
    "err_values": ("expected whole numbers like 3 or 3, 5", "应为整数,如 3 或 3, 5"),
    "err_formula": ("expected a formula in {symbols} using whole numbers, + - * / ^ and brackets",
                    "应为只含 {symbols}、整数、+ - * / ^ 和括号的公式"),
    "err_choice": ("expected one of A-{last} or 1-{n}", "应为 A-{last} 或 1-{n} 之一"),
    "err_word": ("unknown name {name}", "未知的名称 {name}"),
    "err_dims": ("{n} dimensions expected", "应有 {n} 个维度"),
    "not_whole": ("{value} is not a whole number", "{value} 不是整数"),
    # what the page's reader found wrong, after the err_ line of the format it expected
    "perr_div_zero": ("division by zero", "除数为零"),
    "perr_too_large": ("a value is too large", "数值太大"),
    "perr_exponent": ("exponents must be whole numbers", "指数必须是整数"),
    "perr_power": ("the power is too large", "幂太大"),
    "perr_char": ("unexpected character '{char}'", "无法识别的字符 '{char}'"),
    "perr_nested": ("nested too deeply", "嵌套太深"),
    "perr_ends": ("the expression ends too early", "算式不完整"),
    "perr_unclosed": ("'{text}' is never closed", "'{text}' 没有闭合"),
    "perr_unexpected": ("unexpected '{text}'", "不应出现 '{text}'"),
    "perr_number": ("number", "数字"),
    "perr_empty": ("nothing to read", "没有可读的内容"),
    "perr_no_number": ("no number found", "没有找到数"),
    "perr_sides": ("the sides of '=' have different values", "'=' 两边的值不相等"),
    "perr_brackets": ("unbalanced or nested brackets", "括号不配对或有嵌套"),
    "perr_dim": ("dimension '{item}' is not a whole number or None", "维度 '{item}' 不是整数,也不是 None"),
    "perr_dim_missing": ("a dimension is missing", "缺少一个维度"),
    "perr_too_long": ("at most {n} characters", "最多 {n} 个字符"),
    "cell_shape": ("output shape", "输出形状"),
    "cell_params": ("Param #", "参数量"),
    "cell_total": ("Total params", "总参数量"),
    "answer": ("Answer", "答"),
}


def pt(key: str, lang: str = "en") -> str:
    en, zh = _TEXT[key]
    return zh if lang == "zh" else en


@cache
def words(lang: str) -> dict[str, str]:
    """Every word for ``lang`` (the practice page hands them to its script)."""
    return {key: pt(key, lang) for key in _TEXT}
