"""Catalogue entries of the question families (receptive field, memory, training compute, ratios).

Their wrong values are computed by the family modules in quizgen.questions (the recurrence or
the byte count with one step changed); the entries here give each code its title and reason
for `quizgen mistakes`, and no layer quantity (params, shape, ...) ever applies them.
"""

from __future__ import annotations

from collections.abc import Sequence

from .catalogue import mistake
from .model import Alteration, Context

_FAMILY_ONLY = frozenset({"family"})


def _listed_only(_ctx: Context) -> Sequence[Alteration]:
    return []


_ENTRIES: tuple[tuple[str, int, tuple[str, str], tuple[str, str]], ...] = (
    ("rf_ignored_dilation", 1, ("Receptive field: ignored the dilation", "感受野:忽略了膨胀率"),
     ("a dilated kernel reaches (k − 1)·d + 1 positions", "膨胀卷积核覆盖 (k − 1)·d + 1 个位置")),
    ("rf_ignored_jump", 1, ("Receptive field: did not multiply by the jump", "感受野:没有乘以跳步"),
     ("after earlier strides one step of a layer is j_in input pixels: r_out = r_in + (k − 1)·d·j_in",
      "经过前面的步幅后,一层的一步等于 j_in 个输入像素:r_out = r_in + (k − 1)·d·j_in")),
    ("rf_own_stride", 2, ("Receptive field: used the jump after the layer's own stride", "感受野:用了包含本层步幅的跳步"),
     ("a layer's window moves in steps of the jump before it (j_in), not j_out", "本层窗口的一步是它之前的跳步 j_in,而不是 j_out")),
    ("rf_multiplied_kernels", 2, ("Receptive field: multiplied instead of accumulated", "感受野:相乘而不是累加"),
     ("fields grow by adding (k − 1)·d·j per layer, not by multiplying kernel sizes", "感受野逐层累加 (k − 1)·d·j,而不是把卷积核大小相乘")),
    ("rf_off_by_one", 2, ("Receptive field: off by one (started from 0)", "感受野:差一(从 0 开始)"),
     ("an input pixel already sees itself: start from r = 1", "一个输入像素本身的感受野就是 1:从 r = 1 开始")),
    ("rf_kernel_not_minus_one", 3, ("Receptive field: added k instead of k − 1", "感受野:加了 k 而不是 k − 1"),
     ("each layer adds (k − 1)·d·j: its first position is already inside the field", "每层只增加 (k − 1)·d·j:第一个位置已在感受野内")),
    ("rf_one_path", 2, ("Receptive field: followed one branch only", "感受野:只沿一条分支计算"),
     ("where branches meet, the field is the union over every path", "分支汇合处,感受野是所有路径的并集")),
    ("rf_jump_summed", 1, ("Jump: added the strides", "跳步:把步幅相加了"),
     ("strides multiply: j_out = j_in·s", "步幅相乘:j_out = j_in·s")),
    ("rf_jump_last_only", 2, ("Jump: took the last stride only", "跳步:只取了最后一层的步幅"),
     ("every earlier stride multiplies into the jump", "前面每一层的步幅都要乘进跳步")),
    ("rf_start_ignored_padding", 1, ("Start offset: ignored the padding", "起点偏移:忽略了填充"),
     ("padding moves unit 0's window p·j_in positions before the input", "填充使输出单元 0 的窗口从输入之前 p·j_in 个位置开始")),
    ("rf_start_no_jump", 2, ("Start offset: padding not scaled by the jump", "起点偏移:填充没有乘以跳步"),
     ("a layer's padding is p·j_in input pixels", "一层的填充等于 p·j_in 个输入像素")),
)

for _code, _rank, _title, _reason in _ENTRIES:
    mistake(_code, _rank, _FAMILY_ONLY, _title, _reason)(_listed_only)
