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
    ("mem_kb_kib", 1, ("Memory: KB for KiB (or MB for MiB)", "内存:混淆 KB 与 KiB(或 MB 与 MiB)"),
     ("KB, MB, GB are powers of 1000; KiB, MiB, GiB powers of 1024", "KB、MB、GB 以 1000 为进制;KiB、MiB、GiB 以 1024 为进制")),
    ("mem_bits_for_bytes", 1, ("Memory: used bits for bytes", "内存:把位当成字节"),
     ("fp32 is 4 bytes (32 bits) per number", "fp32 每个数 4 字节(32 位)")),
    ("mem_dtype_fp32", 2, ("Memory: counted fp32 for another dtype", "内存:按 fp32 计算了其他数据类型"),
     ("fp16 and bf16 take 2 bytes per number, int8 one", "fp16 与 bf16 每个数 2 字节,int8 1 字节")),
    ("mem_forgot_bias", 2, ("Memory: forgot the biases", "内存:漏掉了偏置"),
     ("the biases are stored with the weights", "偏置也随权重存储")),
    ("mem_forgot_bn_stats", 2, ("Memory: forgot BatchNorm's statistics", "内存:漏掉了 BatchNorm 的统计量"),
     ("BatchNorm's mean and variance are stored with the weights", "BatchNorm 的均值与方差也随权重存储")),
    ("mem_gradients_for_all", 3, ("Memory: gradients for non-trainable numbers", "内存:给不可训练的数算了梯度"),
     ("only trainable parameters get gradients", "只有可训练参数有梯度")),
    ("mem_forgot_gradients", 1, ("Memory: forgot the gradients", "内存:漏掉了梯度"),
     ("training keeps one gradient per trainable parameter", "训练时每个可训练参数有一个梯度")),
    ("mem_forgot_optimizer", 1, ("Memory: forgot the optimizer state", "内存:漏掉了优化器状态"),
     ("momentum keeps one extra copy of the parameters, Adam two", "动量多存一份参数大小的状态,Adam 两份")),
    ("mem_adam_one_copy", 2, ("Memory: Adam with one state copy", "内存:Adam 只算了一份状态"),
     ("Adam keeps two moments per parameter", "Adam 每个参数保存两个矩")),
    ("mem_optimizer_with_weights", 3, ("Memory: counted the weights as optimizer state", "内存:把权重算进了优化器状态"),
     ("the optimizer state is only the extra copies", "优化器状态只是额外的那几份")),
    ("mem_per_sample", 1, ("Memory: activations of one sample", "内存:只算了一个样本的激活值"),
     ("activations are kept for every sample of the batch", "整批每个样本的激活值都要保存")),
    ("tf_flops_as_macs", 1, ("Training FLOPs: forgot the factor 2", "训练计算量:漏了因子 2"),
     ("one multiply–add is two FLOPs", "一次乘加是两次浮点运算")),
    ("tf_forward_only", 1, ("Training FLOPs: forgot the factor 3", "训练计算量:漏了因子 3"),
     ("a training step ≈ 3× forward: the backward pass costs about two forward passes", "训练一步 ≈ 3×前向:反向传播约为两倍前向")),
    ("tf_backward_once", 2, ("Training FLOPs: backward counted as one forward", "训练计算量:把反向算成一次前向"),
     ("the backward pass computes input and weight gradients, each as costly as the forward",
      "反向传播要算对输入和对权重的梯度,各与前向等量")),
    ("tf_one_sample", 1, ("Training FLOPs: one sample instead of the batch", "训练计算量:只算了一个样本"),
     ("FLOPs grow with the number of samples", "计算量随样本数增长")),
    ("tf_epoch_times_batch", 2, ("Training FLOPs: an epoch as dataset × batch", "训练计算量:把 epoch 算成数据集 × 批"),
     ("an epoch passes every sample once", "一个 epoch 中每个样本只经过一次")),
    ("tf_params_as_macs", 3, ("Training FLOPs: parameters used as MACs", "训练计算量:把参数量当成乘加次数"),
     ("a convolution reuses each weight at every output position", "卷积的每个权重在每个输出位置都要用一次")),
    ("ratio_inverted", 1, ("Ratio: inverted", "比值:颠倒了"),
     ("the ratio is alternative / original; a saving is relative to the original", "比值是 替代/原;节省相对原设计计算")),
    ("ratio_kept_not_saved", 1, ("Saving: gave what remains", "节省:给出了剩下的比例"),
     ("the saving is 100 % minus the share that remains", "节省 = 100% 减去剩下的比例")),
    ("ratio_fraction_not_percent", 2, ("Saving: a fraction, not percent", "节省:写成了小数而非百分数"),
     ("a saving in percent is (1 − ratio)·100", "以百分数表示的节省是 (1 − 比值)·100")),
    ("ratio_ignored_bias", 3, ("Ratio: left out the biases", "比值:漏掉了偏置"),
     ("biases count in both designs", "两种设计都要算偏置")),
    ("ratio_depthwise_only", 2, ("Separable: depthwise step only", "可分离卷积:只算了逐通道卷积"),
     ("a depthwise-separable convolution is the depthwise and the 1×1 pointwise step", "深度可分离卷积包括逐通道卷积和 1×1 逐点卷积")),
    ("ratio_one_of_the_stack", 2, ("Stacked 3×3: counted one layer", "堆叠 3×3:只算了一层"),
     ("(k − 1)/2 stacked 3×3 layers reach a k×k receptive field", "(k − 1)/2 个 3×3 层堆叠才有 k×k 的感受野")),
    ("ratio_bottleneck_without_1x1", 2, ("Bottleneck: left out the 1×1 layer", "瓶颈:漏掉了 1×1 层"),
     ("the 1×1 reduction costs parameters and MACs too", "1×1 压缩层也有参数和计算量")),
    ("ratio_groups_twice", 2, ("Grouped: divided by the groups twice", "分组卷积:除了两次组数"),
     ("groups divide the weights (and MACs) once: each filter sees C_in/g channels",
      "分组只把权重(和计算量)除以一次组数:每个卷积核看 C_in/g 个通道")),
    ("ratio_gru_two_gates", 2, ("GRU: counted two gate blocks", "GRU:只算了两组门"),
     ("a GRU has three gate blocks: update, reset and candidate", "GRU 有三组门:更新门、重置门和候选状态")),
)

for _code, _rank, _title, _reason in _ENTRIES:
    mistake(_code, _rank, _FAMILY_ONLY, _title, _reason)(_listed_only)
