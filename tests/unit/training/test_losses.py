import itertools

import pytest
import torch
import torch.nn.functional as F

from app.training.losses import BatchAllPairsLoss, MaskedInBatchSoftmaxLoss, TripletBaselineLoss, negative_mask


def unit(x):
    return F.normalize(torch.tensor(x, dtype=torch.float32), dim=1)


def brute_batch_all(a, p, labels, groups, margin):
    s = a @ p.T
    b = len(labels)
    negs = [
        s[i, j]
        for i, j in itertools.product(range(b), range(b))
        if labels[i] != labels[j] and (groups is None or groups[i] != groups[j])
    ]
    terms = [margin + n - s[k, k] for k in range(b) for n in negs]
    active = [t for t in terms if t > 0]
    return sum(active) / max(len(active), 1)


def test_negative_mask_excludes_same_occupation_and_group():
    labels = torch.tensor([0, 0, 1, 2])
    groups = torch.tensor([5, 5, 5, 6])
    m = negative_mask(labels)
    assert not m[0, 1] and m[0, 2] and not m.diagonal().any()
    mg = negative_mask(labels, groups)
    assert not mg[0, 2] and mg[0, 3] and mg[2, 3]


def test_linked_pairs_are_not_negatives_in_either_direction():
    labels = torch.arange(3)
    linked = torch.zeros(3, 3, dtype=torch.bool)
    linked[0, 2] = True
    m = negative_mask(labels, linked=linked)
    assert not m[0, 2] and not m[2, 0] and m[0, 1]
    a = unit([[1, 0], [0, 1], [1, 0]])
    assert BatchAllPairsLoss(0.5)(a, a, labels, linked=linked).item() == 0.0


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("use_groups", [False, True])
def test_batch_all_matches_the_brute_force_definition(seed, use_groups):
    g = torch.Generator().manual_seed(seed)
    a, p = F.normalize(torch.randn(7, 5, generator=g), dim=1), F.normalize(torch.randn(7, 5, generator=g), dim=1)
    labels = torch.tensor([0, 0, 1, 2, 3, 3, 4])
    groups = torch.tensor([0, 0, 0, 1, 1, 2, 2]) if use_groups else None
    got = BatchAllPairsLoss(0.3)(a, p, labels, groups)
    assert got.item() == pytest.approx(float(brute_batch_all(a, p, labels, groups, 0.3)), rel=1e-5)


def test_batch_all_is_zero_when_positives_beat_negatives_by_the_margin():
    e = torch.eye(4)
    assert BatchAllPairsLoss(0.5)(e, e, torch.arange(4)).item() == 0.0


def test_masked_pairs_do_not_count_as_negatives():
    # rows 0 and 1 are two labels of the same occupation: identical vectors must cost nothing
    a = unit([[1, 0], [1, 0], [0, 1]])
    labels = torch.tensor([7, 7, 8])
    for loss in (BatchAllPairsLoss(0.5), TripletBaselineLoss(0.5)):
        assert loss(a, a, labels).item() == 0.0
    unmasked = BatchAllPairsLoss(0.5)(a, a, torch.tensor([7, 9, 8]))
    assert unmasked.item() > 0
    soft_masked = MaskedInBatchSoftmaxLoss(0.1)(a, a, labels)
    soft_unmasked = MaskedInBatchSoftmaxLoss(0.1)(a, a, torch.tensor([7, 9, 8]))
    assert soft_masked.item() < soft_unmasked.item()


def test_gradients_flow_and_lower_the_loss():
    torch.manual_seed(0)
    a = torch.randn(16, 8, requires_grad=True)
    p = torch.randn(16, 8)
    labels = torch.arange(16) // 2
    for cls in (BatchAllPairsLoss, MaskedInBatchSoftmaxLoss, TripletBaselineLoss):
        x = a.detach().clone().requires_grad_(True)
        opt = torch.optim.SGD([x], lr=0.5)
        first = None
        for _ in range(30):
            loss = cls()(F.normalize(x, dim=1), F.normalize(p, dim=1), labels)
            first = first if first is not None else loss.item()
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert loss.item() < first, cls.__name__


def test_triplet_uses_one_negative_per_positive():
    a = unit([[1, 0], [0, 1], [-1, 0]])
    p = unit([[1, 0], [0, 1], [-1, 0]])
    # anchor 0's first valid negative is positive 1 (score 0): relu(0.2 + 0 - 1) = 0 for every row
    assert TripletBaselineLoss(0.2)(a, p, torch.arange(3)).item() == 0.0
    # anchor 2 = -p0: its negative scores -1, so only rows 0 and 1 are active at margin 1.5
    assert TripletBaselineLoss(1.5)(a, p, torch.arange(3)).item() == pytest.approx((0.5 + 0.5 + 0.0) / 3)


@pytest.mark.parametrize(
    "bad", [lambda: BatchAllPairsLoss(-1), lambda: MaskedInBatchSoftmaxLoss(0), lambda: TripletBaselineLoss(-0.1)]
)
def test_bad_arguments_raise(bad):
    with pytest.raises(ValueError):
        bad()


def test_shape_errors_raise():
    with pytest.raises(ValueError):
        BatchAllPairsLoss()(torch.zeros(3, 2), torch.zeros(2, 2), torch.arange(3))
    with pytest.raises(ValueError):
        BatchAllPairsLoss()(torch.zeros(3, 2), torch.zeros(3, 2), torch.arange(2))
