"""The linear-regression helpers: synthetic data, model, loss, SGD step and minibatches."""

import pytest
import torch

import d2lsite as d2l

TRUE_W = torch.tensor([2.0, -3.4])
TRUE_B = 4.2


# --- synthetic_data ------------------------------------------------------------------


def test_synthetic_data_shapes_are_examples_by_features_and_a_label_column():
    X, y = d2l.synthetic_data(TRUE_W, TRUE_B, 7)
    assert X.shape == (7, 2)
    assert y.shape == (7, 1)
    assert X.dtype == y.dtype == torch.float32


def test_synthetic_data_accepts_w_as_a_list():
    X, y = d2l.synthetic_data([1.0, 2.0, 3.0], 0.0, 4)
    assert X.shape == (4, 3)


def test_synthetic_data_labels_follow_the_linear_model_up_to_the_noise():
    torch.manual_seed(0)
    X, y = d2l.synthetic_data(TRUE_W, TRUE_B, 20_000)
    residual = y[:, 0] - (X @ TRUE_W + TRUE_B)
    assert residual.mean().abs() < 1e-3
    assert residual.std().item() == pytest.approx(0.01, rel=0.05)


def test_synthetic_data_noise_argument_sets_the_noise_level():
    torch.manual_seed(0)
    X, y = d2l.synthetic_data(TRUE_W, TRUE_B, 20_000, noise=0.5)
    residual = y[:, 0] - (X @ TRUE_W + TRUE_B)
    assert residual.std().item() == pytest.approx(0.5, rel=0.05)


def test_synthetic_data_without_noise_is_exactly_linear():
    X, y = d2l.synthetic_data(TRUE_W, TRUE_B, 100, noise=0.0)
    assert torch.allclose(y[:, 0], X @ TRUE_W + TRUE_B)


def test_synthetic_data_features_are_standard_normal():
    torch.manual_seed(0)
    X, _ = d2l.synthetic_data(TRUE_W, TRUE_B, 20_000)
    assert X.mean(0).abs().max() < 0.05
    assert torch.allclose(X.std(0), torch.ones(2), atol=0.05)


def test_synthetic_data_is_reproducible_under_a_seed():
    torch.manual_seed(42)
    first = d2l.synthetic_data(TRUE_W, TRUE_B, 50)
    torch.manual_seed(42)
    second = d2l.synthetic_data(TRUE_W, TRUE_B, 50)
    third = d2l.synthetic_data(TRUE_W, TRUE_B, 50)
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    assert not torch.equal(second[0], third[0])


@pytest.mark.parametrize("num_examples", [0, -5, 2.5, True])
def test_synthetic_data_rejects_no_examples(num_examples):
    with pytest.raises(ValueError, match="num_examples >= 1"):
        d2l.synthetic_data(TRUE_W, TRUE_B, num_examples)


def test_synthetic_data_rejects_a_w_that_is_not_a_vector():
    with pytest.raises(ValueError, match=r"1-D w.*shape \(2, 1\)"):
        d2l.synthetic_data(TRUE_W.reshape(2, 1), TRUE_B, 10)


# --- linreg and squared_loss ---------------------------------------------------------


def test_linreg_computes_xw_plus_b_one_row_per_example():
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])
    w = torch.tensor([[10.0], [1.0]])
    y_hat = d2l.linreg(X, w, torch.tensor([0.5]))
    assert y_hat.shape == (3, 1)
    assert torch.equal(y_hat, torch.tensor([[12.5], [34.5], [0.5]]))


def test_squared_loss_is_half_the_squared_error_per_example():
    y_hat = torch.tensor([[1.0], [2.0], [5.0]])
    y = torch.tensor([[1.0], [4.0], [2.0]])
    assert torch.equal(d2l.squared_loss(y_hat, y), torch.tensor([[0.0], [2.0], [4.5]]))


def test_squared_loss_reshapes_flat_labels_instead_of_broadcasting():
    y_hat = torch.tensor([[1.0], [2.0], [5.0]])
    loss = d2l.squared_loss(y_hat, torch.tensor([1.0, 4.0, 2.0]))
    assert loss.shape == (3, 1)
    assert torch.equal(loss, torch.tensor([[0.0], [2.0], [4.5]]))


def test_squared_loss_rejects_labels_of_another_size():
    with pytest.raises(ValueError, match="3 predictions but 2 labels"):
        d2l.squared_loss(torch.zeros(3, 1), torch.zeros(2))


# --- sgd -----------------------------------------------------------------------------


def test_sgd_step_is_lr_times_the_gradient_divided_by_the_batch_size():
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    b = torch.tensor([0.5], requires_grad=True)
    w.grad = torch.tensor([4.0, 8.0])
    b.grad = torch.tensor([-2.0])
    d2l.sgd([w, b], lr=0.1, batch_size=4)
    assert torch.allclose(w.detach(), torch.tensor([1.0 - 0.1, -2.0 - 0.2]))
    assert torch.allclose(b.detach(), torch.tensor([0.5 + 0.05]))


def test_sgd_zeroes_the_gradients_after_the_step():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w**2).sum().backward()
    d2l.sgd([w], lr=0.5, batch_size=1)
    assert torch.equal(w.grad, torch.zeros(2))
    assert torch.equal(w.detach(), torch.tensor([0.0, 0.0]))  # w - 0.5 * 2w


def test_sgd_keeps_parameters_leaves_that_require_grad():
    w = torch.ones(3, requires_grad=True)
    w.sum().backward()
    d2l.sgd([w], lr=1.0, batch_size=1)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


@pytest.mark.parametrize("batch_size", [0, -1, 1.5, True])
def test_sgd_rejects_a_batch_size_that_is_not_positive(batch_size):
    w = torch.ones(2, requires_grad=True)
    w.sum().backward()
    with pytest.raises(ValueError, match="batch_size must be a positive"):
        d2l.sgd([w], lr=0.1, batch_size=batch_size)
    assert torch.equal(w.detach(), torch.ones(2))  # nothing was updated


def test_sgd_says_to_call_backward_when_a_parameter_has_no_gradient():
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="call backward"):
        d2l.sgd([w], lr=0.1, batch_size=1)


def test_linreg_squared_loss_and_sgd_recover_the_true_parameters():
    torch.manual_seed(0)
    X, y = d2l.synthetic_data(TRUE_W, TRUE_B, 1000)
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(3):
        for X_batch, y_batch in d2l.load_array((X, y), 10):
            d2l.squared_loss(d2l.linreg(X_batch, w, b), y_batch).sum().backward()
            d2l.sgd([w, b], 0.03, len(y_batch))
    assert (w.detach().reshape(-1) - TRUE_W).abs().max() < 0.01
    assert abs(b.item() - TRUE_B) < 0.01


# --- load_array ----------------------------------------------------------------------


def test_load_array_yields_batches_of_rows_from_each_tensor():
    features = torch.arange(20.0).reshape(10, 2)
    labels = torch.arange(10.0).reshape(10, 1)
    X, y = next(iter(d2l.load_array((features, labels), 4, is_train=False)))
    assert torch.equal(X, features[:4])
    assert torch.equal(y, labels[:4])


def test_load_array_keeps_the_stored_order_when_not_training():
    values = torch.arange(25)
    batches = [batch for (batch,) in d2l.load_array((values,), 10, is_train=False)]
    assert torch.equal(torch.cat(batches), values)


def test_load_array_shuffles_when_training_and_visits_every_example_once():
    torch.manual_seed(0)
    values = torch.arange(100)
    loader = d2l.load_array((values,), 10)
    epoch_1 = torch.cat([batch for (batch,) in loader])
    epoch_2 = torch.cat([batch for (batch,) in loader])
    assert not torch.equal(epoch_1, values)
    assert not torch.equal(epoch_1, epoch_2)  # a new order every epoch
    assert torch.equal(epoch_1.sort().values, values)


def test_load_array_shuffling_keeps_features_and_labels_paired():
    torch.manual_seed(0)
    features = torch.arange(30.0).reshape(30, 1)
    for X, y in d2l.load_array((features, 2 * features), 7):
        assert torch.equal(y, 2 * X)


def test_load_array_last_batch_holds_the_remainder():
    loader = d2l.load_array((torch.zeros(23, 2), torch.zeros(23, 1)), 10, is_train=False)
    assert [len(y) for _, y in loader] == [10, 10, 3]
    assert len(loader) == 3


def test_load_array_rejects_tensors_of_different_lengths():
    with pytest.raises(ValueError, match=r"got lengths \[5, 4\]"):
        d2l.load_array((torch.zeros(5, 2), torch.zeros(4, 1)), 2)


def test_load_array_rejects_no_tensors():
    with pytest.raises(ValueError, match="one common length"):
        d2l.load_array((), 2)


@pytest.mark.parametrize("batch_size", [0, -3, 2.0, True])
def test_load_array_rejects_a_batch_size_that_is_not_positive(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        d2l.load_array((torch.zeros(5, 2),), batch_size)


@pytest.mark.parametrize("lr", [0, -0.1])
def test_sgd_rejects_a_learning_rate_that_is_not_positive(lr):
    w = torch.ones(2, requires_grad=True)
    w.sum().backward()
    with pytest.raises(ValueError, match="lr must be positive"):
        d2l.sgd([w], lr=lr, batch_size=2)
