"""The notebooks' blocks in PyTorch, re-expressed for the project: the peer that
prcm's libraries are compared with (exported weights, outputs, latency).

Each class computes exactly what the notebook's class of the same name computes at
inference (dropout is the identity in eval mode, so it is left out). BLOCKS maps
the CLI names of `prcm list` to constructors taking (channels, **hyper-parameters).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class PRCM(nn.Module):
    def __init__(self, channels, num_basis=8):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.fuser = nn.Linear(num_basis, channels, bias=False)

    def forward(self, x):
        coeff = x.mean(dim=[2, 3]) @ self.basis.t()
        return x * self.fuser(coeff).sigmoid()[:, :, None, None]


class AffinePRCM(nn.Module):
    def __init__(self, channels, num_basis=8):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.scale_proj = nn.Linear(num_basis, channels, bias=False)
        self.shift_proj = nn.Linear(num_basis, channels, bias=False)

    def forward(self, x):
        coeff = x.mean(dim=[2, 3]) @ self.basis.t()
        alpha = self.scale_proj(coeff).sigmoid()[:, :, None, None]
        return x * alpha + self.shift_proj(coeff)[:, :, None, None]


class ShiftOnlyPRCM(nn.Module):
    def __init__(self, channels, num_basis=8):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.shift_proj = nn.Linear(num_basis, channels, bias=False)

    def forward(self, x):
        coeff = x.mean(dim=[2, 3]) @ self.basis.t()
        return x + self.shift_proj(coeff)[:, :, None, None]


class SE_Module(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.fc1 = nn.Linear(channels, channels // reduction)
        self.fc2 = nn.Linear(channels // reduction, channels)

    def forward(self, x):
        w = self.fc2(F.relu(self.fc1(x.mean(dim=[2, 3])))).sigmoid()
        return x * w[:, :, None, None]


class PRCM_SE(nn.Module):
    def __init__(self, channels, expansion=4):
        super().__init__()
        self.expand = nn.Linear(channels, channels * expansion, bias=False)
        self.shrink = nn.Linear(channels * expansion, channels, bias=False)

    def forward(self, x):
        w = self.shrink(F.relu(self.expand(x.mean(dim=[2, 3])))).sigmoid()
        return x * w[:, :, None, None]


class PRCM_BasisExpand(nn.Module):
    def __init__(self, channels, num_basis=8, expansion=4):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.expand = nn.Linear(num_basis, num_basis * expansion, bias=False)
        self.shrink = nn.Linear(num_basis * expansion, channels, bias=False)

    def forward(self, x):
        coeff = x.mean(dim=[2, 3]) @ self.basis.t()
        w = self.shrink(F.relu(self.expand(coeff))).sigmoid()
        return x * w[:, :, None, None]


class PRCM_SE_Affine(nn.Module):
    def __init__(self, channels, expansion=4):
        super().__init__()
        self.expand = nn.Linear(channels, channels * expansion, bias=False)
        self.scale_proj = nn.Linear(channels * expansion, channels, bias=False)
        self.shift_proj = nn.Linear(channels * expansion, channels, bias=False)

    def forward(self, x):
        h = F.relu(self.expand(x.mean(dim=[2, 3])))
        return x * self.scale_proj(h).sigmoid()[:, :, None, None] + self.shift_proj(h)[:, :, None, None]


class PRCM_AdaptivePool(nn.Module):
    def __init__(self, channels, pool_size=2, expansion=2):
        super().__init__()
        self.pool_size = pool_size
        self.conv1 = nn.Conv2d(channels, channels * expansion, 1, bias=False)
        self.conv2 = nn.Conv2d(channels * expansion, channels, 1, bias=False)

    def forward(self, x):
        _, _, H, W = x.shape
        if H >= self.pool_size and W >= self.pool_size:
            out = F.adaptive_avg_pool2d(x, (self.pool_size, self.pool_size))
        else:
            out = x
        out = self.conv2(F.relu(self.conv1(out)))
        return F.interpolate(out, size=(H, W), mode="bilinear", align_corners=True)


class InvertedBottleneck(nn.Module):
    residual = False

    def __init__(self, channels, kernel_size=7, expansion=2):
        super().__init__()
        hidden = channels * expansion
        self.dw_conv = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels,
                                 bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.expand = nn.Conv2d(channels, hidden, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(hidden)
        self.project = nn.Conv2d(hidden, channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(channels)

    def forward(self, x):
        out = F.relu(self.bn1(self.dw_conv(x)))
        out = F.relu(self.bn2(self.expand(out)))
        out = self.bn3(self.project(out))
        return out + x if self.residual else out


class InvertedBottleneckRes(InvertedBottleneck):
    residual = True


# CLI name -> (constructor, the hyper-parameters it takes, by their CLI spelling).
BLOCKS = {
    "prcm": (PRCM, ("num_basis",)),
    "prcm_no_dropout": (PRCM, ("num_basis",)),
    "affine_prcm": (AffinePRCM, ("num_basis",)),
    "affine_prcm_no_dropout": (AffinePRCM, ("num_basis",)),
    "shift_only_prcm": (ShiftOnlyPRCM, ("num_basis",)),
    "se": (SE_Module, ("reduction",)),
    "prcm_se": (PRCM_SE, ("expansion",)),
    "prcm_basis_expand": (PRCM_BasisExpand, ("num_basis", "expansion")),
    "prcm_se_affine": (PRCM_SE_Affine, ("expansion",)),
    "prcm_adaptive_pool": (PRCM_AdaptivePool, ("pool_size", "expansion")),
    "inverted_bottleneck": (InvertedBottleneck, ("kernel_size", "expansion")),
    "inverted_bottleneck_res": (InvertedBottleneckRes, ("kernel_size", "expansion")),
}


def make_block(name, channels, **hyper):
    """The block `name` with random weights (BN statistics randomized too, so that
    folding them is exercised), in eval mode."""
    cls, takes = BLOCKS[name]
    block = cls(channels, **{k: v for k, v in hyper.items() if k in takes and v is not None})
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return block.eval()
