"""d2lsite.rnn: text preprocessing, minibatches, clipping and the training loop's errors."""

import pytest
import torch
from torch import nn

import d2lsite as d2l


def test_tokenize_and_vocab():
    lines = ["the cat", "the dog the end"]
    assert d2l.tokenize(lines) == [["the", "cat"], ["the", "dog", "the", "end"]]
    assert d2l.tokenize(["ab"], "char") == [["a", "b"]]
    with pytest.raises(ValueError, match="'byte'"):
        d2l.tokenize(lines, "byte")
    vocab = d2l.Vocab(d2l.tokenize(lines), min_freq=2, reserved_tokens=["<pad>", "<unk>"])
    assert vocab.idx_to_token == ["<unk>", "<pad>", "the"]
    assert vocab[["the", "cat"]] == [2, 0] and vocab.unk == 0
    assert vocab.to_tokens([2, 1]) == ["the", "<pad>"]
    with pytest.raises(IndexError, match="index 3"):
        vocab.to_tokens(3)
    with pytest.raises(ValueError, match="-1"):
        d2l.Vocab(["a"], min_freq=-1)


def test_corpus_round_trip():
    corpus, vocab = d2l.load_corpus_time_machine("char")
    assert len(vocab) == 28
    text = " ".join(d2l.read_time_machine())
    assert "".join(vocab.to_tokens(corpus)) == text


@pytest.mark.parametrize("fn", ["seq_data_iter_random", "seq_data_iter_sequential"])
def test_iterators_shapes_labels_and_budget(fn, monkeypatch):
    corpus = list(range(1000))
    batches = list(getattr(d2l, fn)(corpus, 4, 7))
    assert len(batches) > 4
    for X, Y in batches:
        assert X.shape == Y.shape == (4, 7) and torch.equal(Y, X + 1)
    monkeypatch.setenv("D2LSITE_BUDGET", "reduced")
    assert len(list(getattr(d2l, fn)(corpus, 4, 7))) == d2l.batch_limit() == 4
    with pytest.raises(ValueError, match="batch_size must be a positive whole number, got 0"):
        next(getattr(d2l, fn)(corpus, 0, 7))
    with pytest.raises(ValueError, match="too short"):
        next(getattr(d2l, fn)(list(range(20)), 4, 7))


def test_load_data_split():
    train_iter, val_iter, vocab = d2l.load_data_time_machine(8, 10, max_tokens=10_000)
    assert len(train_iter.corpus) == 9_000 and len(val_iter.corpus) == 1_000
    X, Y = next(iter(val_iter))
    assert X.shape == (8, 10) and X.dtype == torch.int64
    with pytest.raises(ValueError, match="val_fraction .* got 1.5"):
        d2l.load_data_time_machine(8, 10, val_fraction=1.5)
    with pytest.raises(ValueError, match="too short"):
        d2l.load_data_time_machine(64, 35, max_tokens=1000)


def test_grad_clipping():
    net = nn.Linear(3, 2)
    for p in net.parameters():
        p.grad = torch.full_like(p, 10.0)
    norm = d2l.grad_clipping(net, 1.0)
    assert norm == pytest.approx(10.0 * 8**0.5)
    clipped = torch.sqrt(sum((p.grad**2).sum() for p in net.parameters()))
    assert float(clipped) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="theta > 0, got 0"):
        d2l.grad_clipping(net, 0)


def small_model():
    train_iter, val_iter, vocab = d2l.load_data_time_machine(4, 5, max_tokens=500)
    return d2l.RNNModel(nn.RNN(len(vocab), 8), len(vocab)), train_iter, val_iter, vocab


def test_train_ch8_history_and_errors(capsys):
    torch.manual_seed(0)
    net, train_iter, val_iter, vocab = small_model()
    history = d2l.train_ch8(net, train_iter, val_iter, vocab, 1.0, 2, device="cpu")
    assert len(history.train_ppl) == len(history.val_ppl) == 2
    assert "2 epochs" in repr(history)
    assert "time traveller" in capsys.readouterr().out
    with pytest.raises(ValueError, match="num_epochs .* got 0"):
        d2l.train_ch8(net, train_iter, val_iter, vocab, 1.0, 0, device="cpu")
    with pytest.raises(ValueError, match="lr must be a positive number, got -1"):
        d2l.train_ch8(net, train_iter, val_iter, vocab, -1, 1, device="cpu")
    with pytest.raises(FloatingPointError, match="epoch 1: the loss of minibatch .* smaller"):
        d2l.train_ch8(net, train_iter, val_iter, vocab, 1e38, 1, device="cpu")


def test_predict_and_model_errors():
    net, _, _, vocab = small_model()
    out = d2l.predict_ch8("time", 5, net, vocab)
    assert out.startswith("time") and len(out) == 9
    with pytest.raises(ValueError, match="non-empty prefix"):
        d2l.predict_ch8("", 5, net, vocab)
    with pytest.raises(ValueError, match="got -1"):
        d2l.predict_ch8("a", -1, net, vocab)
    with pytest.raises(ValueError, match="vocab_size = 28"):
        d2l.RNNModel(nn.RNN(10, 8), 28)


def test_check_seq_sizes():
    d2l.check_seq_sizes(list(range(13)), 3, 4)  # 12 tokens and one label: fits
    with pytest.raises(ValueError, match="too short"):
        d2l.check_seq_sizes(list(range(12)), 3, 4)
    with pytest.raises(ValueError, match="num_steps must be a positive whole number, got 2.5"):
        d2l.check_seq_sizes(list(range(100)), 3, 2.5)


def test_scratch_params_and_model():
    torch.manual_seed(0)
    params = d2l.scratch_params({"W_xh": (5, 4), "W_hh": (4, 4), "b_h": (4,),
                                 "W_hq": (4, 5), "b_q": (5,)}, "cpu")  # fmt: skip
    assert all(p.requires_grad for p in params.values())
    assert params["b_h"].detach().abs().sum() == 0 and 0 < params["W_hh"].detach().std() < 0.02

    def step(X_t, state, params):
        (H,) = state
        return (torch.tanh(X_t @ params["W_xh"] + H @ params["W_hh"] + params["b_h"]),)

    net = d2l.RNNModelScratch(step, params, 5, 4)
    assert len(net.parameters()) == 5
    state = net.begin_state(2, "cpu")
    assert len(state) == 1 and state[0].shape == (2, 4)
    X = torch.tensor([[0, 1, 2], [3, 4, 0]])
    logits, (H,) = net(X, state)
    assert logits.shape == (6, 5) and H.shape == (2, 4)
    # rows are ordered time step by time step: rows 0-1 are step 0 of both sequences
    first, _ = net(X[:, :1], state)
    assert torch.allclose(logits[:2], first)
    vocab = d2l.Vocab(list("abcd"))
    out = d2l.predict_ch8("ab", 3, net, vocab)
    assert out.startswith("ab") and len(out) == 5
    assert len(d2l.RNNModelScratch(step, params, 5, 4, num_state=2).begin_state(1, "cpu")) == 2


def test_to_tokens_list_with_bad_index():
    vocab = d2l.Vocab(["a", "b"])
    assert vocab.to_tokens([1, 2]) == ["a", "b"] and vocab.to_tokens(0) == "<unk>"
    with pytest.raises(IndexError, match="index 7"):
        vocab.to_tokens([1, 7])
