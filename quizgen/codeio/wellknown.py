"""Textbook helper layers that model code uses without defining them, read from their well-known
definitions: d2l's ``FlattenLayer``, ``GlobalAvgPool2d`` and ``Residual`` (Dive into Deep
Learning, the PyTorch edition). The definitions below are written for quizgen to the same
structure (same submodules, same parameter counts); the reader says when it used one.
"""

from __future__ import annotations

__all__ = ["WELL_KNOWN", "WELL_KNOWN_SOURCE"]

WELL_KNOWN_SOURCE = '''
import torch.nn as nn
import torch.nn.functional as F

class FlattenLayer(nn.Module):
    def __init__(self):
        super().__init__()
    def forward(self, x):
        return x.view(x.shape[0], -1)

class GlobalAvgPool2d(nn.Module):
    def __init__(self):
        super().__init__()
    def forward(self, x):
        return F.avg_pool2d(x, kernel_size=x.size()[2:])

class Residual(nn.Module):
    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)
    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)
'''

# module it is imported from -> names it provides
WELL_KNOWN = {"d2l": ("FlattenLayer", "GlobalAvgPool2d", "Residual")}
