"""The notebooks' blocks in PyTorch, re-expressed for the project: the peer that
prcm's libraries are compared with (exported weights, outputs, latency).

Each class has the notebook class's constructor signature, submodules (so its
state_dict keys) and forward(): the notebooks' dropout is kept where they apply it,
the identity in eval mode. BLOCKS maps the CLI names of `prcm list` to constructors
taking (channels, **hyper-parameters).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def _dropout(rate, kind=nn.Dropout):
    return kind(rate) if rate > 0 else nn.Identity()


class PRCM(nn.Module):
    def __init__(self, channels, num_basis=8, dropout_rate=0.5):
        super().__init__()
        self.num_basis = num_basis
        self.channels = channels
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.fuser = nn.Linear(num_basis, channels, bias=False)
        self.coeff_dropout = _dropout(dropout_rate)

    def forward(self, x):
        coeff = self.coeff_dropout(x.mean(dim=[2, 3]) @ self.basis.t())
        return x * self.fuser(coeff).sigmoid()[:, :, None, None]


class PRCM_NoDropout(nn.Module):
    def __init__(self, channels, num_basis=8):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.fuser = nn.Linear(num_basis, channels, bias=False)

    def forward(self, x):
        coeff = x.mean(dim=[2, 3]) @ self.basis.t()
        return x * self.fuser(coeff).sigmoid()[:, :, None, None]


class AffinePRCM(nn.Module):
    def __init__(self, channels, num_basis=8, dropout_rate=0.5):
        super().__init__()
        self.num_basis = num_basis
        self.channels = channels
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        self.scale_proj = nn.Linear(num_basis, channels, bias=False)
        self.shift_proj = nn.Linear(num_basis, channels, bias=False)
        self.coeff_dropout = _dropout(dropout_rate)

    def forward(self, x):
        coeff = self.coeff_dropout(x.mean(dim=[2, 3]) @ self.basis.t())
        alpha = self.scale_proj(coeff).sigmoid()[:, :, None, None]
        return x * alpha + self.shift_proj(coeff)[:, :, None, None]


class AffinePRCM_NoDropout(nn.Module):
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
    def __init__(self, channels, expansion=4, dropout_rate=0.5):
        super().__init__()
        hidden = channels * expansion
        self.expand = nn.Linear(channels, hidden, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.shrink = nn.Linear(hidden, channels, bias=False)
        self.dropout = _dropout(dropout_rate)

    def forward(self, x):
        w = self.shrink(self.dropout(self.act(self.expand(x.mean(dim=[2, 3]))))).sigmoid()
        return x * w[:, :, None, None]


class PRCM_BasisExpand(nn.Module):
    def __init__(self, channels, num_basis=8, expansion=4, dropout_rate=0.5):
        super().__init__()
        self.basis = nn.Parameter(torch.randn(num_basis, channels))
        hidden = num_basis * expansion
        self.expand = nn.Linear(num_basis, hidden, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.shrink = nn.Linear(hidden, channels, bias=False)
        self.dropout = _dropout(dropout_rate)

    def forward(self, x):
        coeff = x.mean(dim=[2, 3]) @ self.basis.t()
        w = self.shrink(self.dropout(self.act(self.expand(coeff)))).sigmoid()
        return x * w[:, :, None, None]


class PRCM_SE_Affine(nn.Module):
    def __init__(self, channels, expansion=4, dropout_rate=0.5):
        super().__init__()
        hidden = channels * expansion
        self.expand = nn.Linear(channels, hidden, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.scale_proj = nn.Linear(hidden, channels, bias=False)
        self.shift_proj = nn.Linear(hidden, channels, bias=False)
        self.dropout = _dropout(dropout_rate)

    def forward(self, x):
        h = self.dropout(self.act(self.expand(x.mean(dim=[2, 3]))))
        return x * self.scale_proj(h).sigmoid()[:, :, None, None] + self.shift_proj(h)[:, :, None, None]


class PRCM_AdaptivePool(nn.Module):
    def __init__(self, channels, pool_size=2, expansion=2, dropout_rate=0.5):
        super().__init__()
        self.pool_size = pool_size
        hidden = channels * expansion
        self.conv1 = nn.Conv2d(channels, hidden, 1, bias=False)
        self.act = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(hidden, channels, 1, bias=False)
        self.dropout = _dropout(dropout_rate, nn.Dropout2d)

    def forward(self, x):
        _, _, H, W = x.shape
        if H >= self.pool_size and W >= self.pool_size:
            out = F.adaptive_avg_pool2d(x, (self.pool_size, self.pool_size))
        else:
            out = x
        out = self.conv2(self.dropout(self.act(self.conv1(out))))
        return F.interpolate(out, size=(H, W), mode="bilinear", align_corners=True)


class InvertedBottleneck(nn.Module):
    residual = False

    def __init__(self, channels, kernel_size=7, expansion=2, dropout_rate=0.5):
        super().__init__()
        hidden = channels * expansion
        self.dw_conv = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels,
                                 bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.expand = nn.Conv2d(channels, hidden, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(hidden)
        self.act = nn.ReLU(inplace=True)
        self.project = nn.Conv2d(hidden, channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(channels)
        self.dropout = _dropout(dropout_rate, nn.Dropout2d)

    def forward(self, x):
        out = self.act(self.bn1(self.dw_conv(x)))
        out = self.dropout(self.act(self.bn2(self.expand(out))))
        out = self.bn3(self.project(out))
        return out + x if self.residual else out


class InvertedBottleneckRes(InvertedBottleneck):
    residual = True


# CLI name -> (constructor, the hyper-parameters it takes, by their CLI spelling).
BLOCKS = {
    "prcm": (PRCM, ("num_basis",)),
    "prcm_no_dropout": (PRCM_NoDropout, ("num_basis",)),
    "affine_prcm": (AffinePRCM, ("num_basis",)),
    "affine_prcm_no_dropout": (AffinePRCM_NoDropout, ("num_basis",)),
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
