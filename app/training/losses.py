"""Losses for metric learning on ontology pairs. Inputs are L2-normalised embeddings.

Every loss takes `anchors` (B, D), `positives` (B, D) — row i of each belongs together — and
`labels` (B,) occupation ids; optionally `groups` (B,) coarser ids (ISCO unit groups). A pair
(anchor i, positive j) is a *negative* only when `labels[i] != labels[j]` and, when groups are given,
`groups[i] != groups[j]`: two labels of one occupation (or one group) are never pushed apart.
`linked` (B, B) bool, optional, marks further pairs that are not negatives (occupations that share a
label: as in the article, an identical job title links two descriptions).
"""

import torch
import torch.nn.functional as F
from torch import nn


def negative_mask(
    labels: torch.Tensor, groups: torch.Tensor | None = None, linked: torch.Tensor | None = None
) -> torch.Tensor:
    """(B, B) bool: True where (anchor i, positive j) may serve as a negative pair."""
    mask = labels[:, None] != labels[None, :]
    if groups is not None:
        mask &= groups[:, None] != groups[None, :]
    if linked is not None:
        mask &= ~(linked | linked.T)
    return mask


def _check(anchors: torch.Tensor, positives: torch.Tensor, labels: torch.Tensor) -> None:
    if anchors.shape != positives.shape or anchors.ndim != 2:
        raise ValueError(
            f"anchors and positives must both be (B, D); got {tuple(anchors.shape)} and {tuple(positives.shape)}"
        )
    if labels.shape != (anchors.shape[0],):
        raise ValueError(f"labels must be (B,) = ({anchors.shape[0]},); got {tuple(labels.shape)}")


def _margin(margin: float) -> float:
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    return margin


class BatchAllPairsLoss(nn.Module):
    """The article's batch-wide loss: every positive pair against every negative pair of the batch.

    With s_p the B positive scores (anchor i, positive i) and s_n the scores of all valid negative
    pairs (anchor i, positive j), it averages `relu(margin + s_n - s_p)` over the active comparisons,
    i.e. over every (positive, negative) couple where the negative comes within `margin` of (or beats)
    the positive — about B * B^2 comparisons, computed exactly in O(B^2 log B) by sorting the negatives.

    Reference: A. Vasnetsov, "Metric Learning Tips & Tricks", Qdrant, 2021.

    Example:
        >>> loss = BatchAllPairsLoss(margin=0.2)
        >>> a = F.normalize(torch.randn(8, 16), dim=1); p = F.normalize(torch.randn(8, 16), dim=1)
        >>> loss(a, p, torch.arange(8)).ndim
        0
    """

    def __init__(self, margin: float = 0.2):
        super().__init__()
        self.margin = _margin(margin)

    def forward(self, anchors, positives, labels, groups=None, linked=None):
        _check(anchors, positives, labels)
        scores = anchors @ positives.T
        pos = scores.diagonal()
        neg = scores[negative_mask(labels, groups, linked)]
        if neg.numel() == 0:
            return scores.sum() * 0.0
        neg_sorted, _ = torch.sort(neg)
        # for each positive p, the negatives n with n > p - margin are active: sum (margin + n - p)
        first = torch.searchsorted(neg_sorted.detach(), (pos - self.margin).detach(), right=True)
        suffix = torch.flip(torch.cumsum(torch.flip(neg_sorted, [0]), 0), [0])
        suffix = torch.cat([suffix, suffix.new_zeros(1)])
        active = (neg_sorted.numel() - first).to(scores.dtype)
        total = (suffix[first] + active * (self.margin - pos)).sum()
        return total / active.sum().clamp(min=1.0)


class MaskedInBatchSoftmaxLoss(nn.Module):
    """Softmax over the batch: anchor i must pick positive i among all B positives (and back).

    Logits are scores / temperature; pairs that are not valid negatives (same occupation or group,
    other than i itself) are removed from the softmax instead of being treated as wrong answers.
    Symmetric: the anchor->positive and positive->anchor cross-entropies are averaged.
    """

    def __init__(self, temperature: float = 0.05):
        super().__init__()
        if temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        self.temperature = temperature

    def forward(self, anchors, positives, labels, groups=None, linked=None):
        _check(anchors, positives, labels)
        logits = anchors @ positives.T / self.temperature
        keep = negative_mask(labels, groups, linked) | torch.eye(len(labels), dtype=torch.bool, device=logits.device)
        logits = logits.masked_fill(~keep, float("-inf"))
        target = torch.arange(len(labels), device=logits.device)
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


class TripletBaselineLoss(nn.Module):
    """Baseline: one negative per positive — the next valid negative in the batch — with a margin."""

    def __init__(self, margin: float = 0.2):
        super().__init__()
        self.margin = _margin(margin)

    def forward(self, anchors, positives, labels, groups=None, linked=None):
        _check(anchors, positives, labels)
        mask = negative_mask(labels, groups, linked)
        b = len(labels)
        # the first valid negative after i (cyclically): one comparison per positive, as a triplet loss
        order = (torch.arange(b)[:, None] + torch.arange(1, b + 1)[None, :]) % b
        valid = torch.gather(mask, 1, order)
        has = valid.any(dim=1)
        if not has.any():
            return anchors.sum() * 0.0
        j = torch.gather(order, 1, valid.float().argmax(dim=1, keepdim=True)).squeeze(1)
        pos = (anchors * positives).sum(dim=1)
        neg = (anchors * positives[j]).sum(dim=1)
        return F.relu(self.margin + neg - pos)[has].mean()


LOSSES = {"batch_all": BatchAllPairsLoss, "softmax": MaskedInBatchSoftmaxLoss, "triplet": TripletBaselineLoss}
