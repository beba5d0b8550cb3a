"""Writing a compact key encodes each mistake straight from the exam (issue 15): it must give what
encoding its full-form object gave, index for index, however unusual its texts."""

from __future__ import annotations

from quizgen.exam import MistakeValue, _mistake_to_json
from quizgen.keyformat import _Writer

MISTAKES = [
    MistakeValue(("forgot_bias",), 5632, {"en": "5632 = 88·(1·1·64): no bias; correct: 5720", "zh": "5632 = 88·(1·1·64):偏置;正确:5720"}),
    MistakeValue(("forgot_bias",), 96, {"en": "96 = 8·(3·4·1): no bias; correct: 104", "zh": "96 = 8·(3·4·1):偏置;正确:104"}),  # same form
    MistakeValue(("channel_order", "x+y"), [3, 8, 8], {"en": "(3, 8, 8): order", "zh": "(3, 8, 8):顺序"}, "0.shape"),
    MistakeValue(("a",), 1, {"en": "1 and 2", "zh": "1 和 3"}),  # the languages' numbers differ: a full object
    MistakeValue(("a",), 1, {"zh": "只有中文 7"}),  # no text in the exam's language
    MistakeValue(("a",), 1, {"en": "", "zh": "空 7"}),  # an empty one
    MistakeValue(("a",), 1, {"en": "three {7}", "zh": "三 {7}", "fr": "trois 7"}),  # braces; a language the key does not list
    MistakeValue(("a",), 2, {"zh": "先中文 4", "en": "then English 4"}),  # another order
]


def test_each_mistake_encodes_as_its_full_form_object_did() -> None:
    direct, through_json = _Writer(["en", "zh"]), _Writer(["en", "zh"])
    encoded = [direct.mistake_value(m, "en") for m in MISTAKES]
    assert encoded == [through_json.mistake(_mistake_to_json(m, "en"), "en") for m in MISTAKES]
    assert direct.texts.items == through_json.texts.items
    assert direct.forms.items == through_json.forms.items
    assert encoded[0][0] == encoded[1][0] == 0  # the two forgot_bias mistakes share one form
