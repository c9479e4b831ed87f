"""Recurrent neural networks on text: The Time Machine, vocabularies, minibatches, training."""

import collections
import math
import random
import re
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import nn
from torch.nn import functional as F

import d2lsite as d2l

__all__ = [
    "RNNHistory",
    "RNNModel",
    "RNNModelScratch",
    "SeqDataLoader",
    "Vocab",
    "evaluate_ppl_ch8",
    "grad_clipping",
    "load_corpus_time_machine",
    "load_data_time_machine",
    "predict_ch8",
    "read_time_machine",
    "seq_data_iter_random",
    "seq_data_iter_sequential",
    "tokenize",
    "train_ch8",
    "train_epoch_ch8",
]

State = torch.Tensor | tuple[torch.Tensor, ...]


def read_time_machine() -> list[str]:
    """The lines of *The Time Machine*, lower case, letters and single spaces only.

    Every run of characters that are not letters becomes one space, each line
    is stripped, and empty lines are dropped. Reads the file through
    ``d2l.download("timemachine.txt")``, which raises ``FileNotFoundError``
    when there is no copy and no network.

    Defined in ``rnn/text-sequence.md``.
    """
    with open(d2l.download("timemachine.txt"), encoding="utf-8") as f:
        lines = [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in f]
    return [line for line in lines if line]


def tokenize(lines: Sequence[str], token: str = "word") -> list[list[str]]:
    """Split each line into tokens: words (``token="word"``) or characters (``"char"``).

    Returns one list of string tokens per line. Raises ``ValueError`` for any
    other ``token``.

    Defined in ``rnn/text-sequence.md``.
    """
    if token == "word":
        return [line.split() for line in lines]
    if token == "char":
        return [list(line) for line in lines]
    raise ValueError(f'tokenize() needs token="word" or token="char", got {token!r}')


class Vocab:
    """A vocabulary: maps tokens to indices 0, 1, ... and back.

    Index 0 is the unknown token ``"<unk>"``, followed by the
    ``reserved_tokens`` in their order, then every token seen at least
    ``min_freq`` times, most frequent first (ties in order of first
    appearance). ``tokens`` is a list of tokens or a list of lists of tokens
    (lines). ``vocab[token]`` and ``vocab[list_of_tokens]`` give indices; an
    unknown token maps to 0. ``token_freqs`` lists ``(token, count)`` pairs,
    most frequent first. Raises ``ValueError`` when ``min_freq`` is negative.

    Defined in ``rnn/text-sequence.md``.
    """

    def __init__(
        self,
        tokens: Sequence[str] | Sequence[Sequence[str]] = (),
        min_freq: int = 0,
        reserved_tokens: Sequence[str] = (),
    ) -> None:
        if min_freq < 0:
            raise ValueError(f"min_freq must be 0 or more, got {min_freq!r}")
        if tokens and isinstance(tokens[0], list):
            tokens = [token for line in tokens for token in line]
        counter = collections.Counter(tokens)
        self.token_freqs = sorted(counter.items(), key=lambda pair: pair[1], reverse=True)
        kept = [token for token, freq in self.token_freqs if freq >= min_freq]
        self.idx_to_token, self.token_to_idx = [], {}
        for token in ["<unk>", *reserved_tokens, *kept]:
            if token not in self.token_to_idx:  # a dict: fast for large vocabularies
                self.token_to_idx[token] = len(self.idx_to_token)
                self.idx_to_token.append(token)

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __getitem__(self, tokens: str | Sequence[str]) -> int | list[int]:
        if isinstance(tokens, (list, tuple)):
            return [self[token] for token in tokens]
        return self.token_to_idx.get(tokens, self.unk)

    def to_tokens(self, indices: int | Sequence[int]) -> str | list[str]:
        """The token of one index, or the list of tokens of a list of indices.

        Raises ``IndexError`` for an index outside ``0 .. len(vocab) - 1``.
        """
        if isinstance(indices, (list, tuple)):
            return [self.to_tokens(index) for index in indices]
        if not 0 <= indices < len(self):
            raise IndexError(f"index {indices} is outside this vocabulary of {len(self)} tokens")
        return self.idx_to_token[indices]

    @property
    def unk(self) -> int:
        """The index of the unknown token, 0."""
        return 0


def load_corpus_time_machine(token: str = "char", max_tokens: int = -1) -> tuple[list[int], Vocab]:
    """The Time Machine as one list of token indices, and its vocabulary.

    The lines of ``read_time_machine()`` are joined with single spaces, so no
    word runs across a line break, and tokenized by ``tokenize`` (``token``
    is ``"char"`` or ``"word"``). With ``max_tokens > 0`` only the first
    ``max_tokens`` indices are kept. At character level the vocabulary has
    28 tokens: ``<unk>``, the space and 26 letters.

    Defined in ``rnn/text-sequence.md``.
    """
    tokens = tokenize([" ".join(read_time_machine())], token)[0]
    vocab = Vocab(tokens)
    corpus = [vocab[tok] for tok in tokens]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


def _limit(num_batches: int) -> int:
    """At most ``d2l.batch_limit()`` minibatches when the book runs at the reduced budget."""
    limit = d2l.batch_limit()
    return num_batches if limit is None else min(num_batches, limit)


def _check_sizes(corpus: Sequence[int], batch_size: int, num_steps: int) -> None:
    for name, value in (("batch_size", batch_size), ("num_steps", num_steps)):
        if type(value) is not int or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    if len(corpus) <= batch_size * num_steps:
        raise ValueError(
            f"a corpus of {len(corpus)} tokens is too short for one minibatch of "
            f"batch_size * num_steps = {batch_size * num_steps} tokens plus one label; "
            "use a smaller batch_size or num_steps"
        )


def seq_data_iter_random(
    corpus: Sequence[int], batch_size: int, num_steps: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Minibatches of subsequences taken from random places (random partitioning).

    The corpus is cut, from a random offset in ``0 .. num_steps - 1``, into
    subsequences of ``num_steps`` tokens; these are shuffled and grouped
    ``batch_size`` at a time. Yields ``(X, Y)``: ``int64`` tensors of shape
    ``(batch_size, num_steps)``, ``Y`` being ``X`` shifted one token to the
    right. Neighbouring minibatches are not adjacent in the text. Uses
    Python's ``random``; yields at most ``d2l.batch_limit()`` minibatches
    when that is not ``None``. Raises ``ValueError`` for sizes that are not
    positive whole numbers or a corpus too short for one minibatch.

    Defined in ``rnn/language-model.md``.
    """
    _check_sizes(corpus, batch_size, num_steps)
    corpus = corpus[random.randint(0, num_steps - 1) :]
    num_subseqs = (len(corpus) - 1) // num_steps
    starts = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(starts)
    num_batches = _limit(num_subseqs // batch_size)
    for i in range(0, num_batches * batch_size, batch_size):
        batch = starts[i : i + batch_size]
        X = [corpus[j : j + num_steps] for j in batch]
        Y = [corpus[j + 1 : j + 1 + num_steps] for j in batch]
        yield torch.tensor(X), torch.tensor(Y)


def seq_data_iter_sequential(
    corpus: Sequence[int], batch_size: int, num_steps: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Minibatches whose rows continue the rows of the previous one (sequential partitioning).

    From a random offset in ``0 .. num_steps - 1`` the corpus is laid out as
    ``batch_size`` long rows, which are read ``num_steps`` columns at a time.
    Row ``i`` of one minibatch therefore ends where row ``i`` of the next one
    begins, so a model may carry its hidden state across minibatches. Yields
    ``(X, Y)`` as in ``seq_data_iter_random``: ``int64`` tensors of shape
    ``(batch_size, num_steps)``, at most ``d2l.batch_limit()`` of them when
    that is not ``None``. Raises ``ValueError`` as ``seq_data_iter_random``
    does.

    Defined in ``rnn/language-model.md``.
    """
    _check_sizes(corpus, batch_size, num_steps)
    offset = random.randint(0, num_steps - 1)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset : offset + num_tokens]).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[offset + 1 : offset + 1 + num_tokens]).reshape(batch_size, -1)
    num_batches = _limit(Xs.shape[1] // num_steps)
    for i in range(0, num_batches * num_steps, num_steps):
        yield Xs[:, i : i + num_steps], Ys[:, i : i + num_steps]


class SeqDataLoader:
    """An iterable over minibatches of a corpus, random or sequential; a new pass each loop.

    ``for X, Y in loader`` runs ``seq_data_iter_random`` (``use_random_iter``)
    or ``seq_data_iter_sequential`` over ``corpus``, a list of token indices.
    Raises ``ValueError`` at once for sizes that do not fit the corpus.

    Defined in ``rnn/language-model.md``.
    """

    def __init__(
        self, corpus: Sequence[int], batch_size: int, num_steps: int, use_random_iter: bool
    ) -> None:
        _check_sizes(corpus, batch_size, num_steps)
        if use_random_iter:
            self.data_iter_fn = d2l.seq_data_iter_random
        else:
            self.data_iter_fn = d2l.seq_data_iter_sequential
        self.corpus, self.batch_size, self.num_steps = corpus, batch_size, num_steps

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)


def load_data_time_machine(
    batch_size: int,
    num_steps: int,
    use_random_iter: bool = False,
    max_tokens: int = -1,
    val_fraction: float = 0.1,
) -> tuple[SeqDataLoader, SeqDataLoader, Vocab]:
    """Training and validation minibatches of The Time Machine, characters, and the vocabulary.

    The character corpus of ``load_corpus_time_machine(max_tokens=...)`` is
    split in two contiguous parts: the first ``1 - val_fraction`` of it for
    training, the last ``val_fraction`` (the end of the novel) held out for
    validation. Returns ``(train_iter, val_iter, vocab)``; the training
    iterator is random when ``use_random_iter``, else sequential; the
    validation iterator is always sequential. Both yield ``int64`` tensors of
    shape ``(batch_size, num_steps)``. Raises ``ValueError`` for a
    ``val_fraction`` outside (0, 1) or sizes that do not fit either part.

    Defined in ``rnn/language-model.md``.
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must lie strictly between 0 and 1, got {val_fraction!r}")
    corpus, vocab = d2l.load_corpus_time_machine("char", max_tokens)
    num_train = round(len(corpus) * (1 - val_fraction))
    train_iter = d2l.SeqDataLoader(corpus[:num_train], batch_size, num_steps, use_random_iter)
    val_iter = d2l.SeqDataLoader(corpus[num_train:], batch_size, num_steps, False)
    return train_iter, val_iter, vocab


class RNNModelScratch:
    """A recurrent language model from hand-written parameters and functions.

    ``get_params(vocab_size, num_hiddens, device)`` returns the list of
    parameter tensors (with ``requires_grad``); ``init_state(batch_size,
    num_hiddens, device)`` returns the initial state, a tuple of tensors;
    ``forward_fn(inputs, state, params)`` maps one-hot inputs of shape
    ``(num_steps, batch_size, vocab_size)`` and a state to outputs of shape
    ``(num_steps * batch_size, vocab_size)`` and the new state. Calling the
    model on token indices ``X`` of shape ``(batch_size, num_steps)``
    returns those outputs (logits, rows ordered time step by time step) and
    the new state.

    Defined in ``rnn/rnn-scratch.md``.
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        device: torch.device | str,
        get_params: Callable[..., list[torch.Tensor]],
        init_state: Callable[..., tuple[torch.Tensor, ...]],
        forward_fn: Callable[..., tuple[torch.Tensor, tuple[torch.Tensor, ...]]],
    ) -> None:
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(
        self, X: torch.Tensor, state: tuple[torch.Tensor, ...]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)
        return self.forward_fn(X, state, self.params)

    def begin_state(self, batch_size: int, device: torch.device | str) -> tuple[torch.Tensor, ...]:
        """The initial state for a minibatch of ``batch_size`` sequences."""
        return self.init_state(batch_size, self.num_hiddens, device)


def _parameters(net: "nn.Module | RNNModelScratch") -> list[torch.Tensor]:
    """The trainable tensors of a module or of a scratch model."""
    return list(net.parameters()) if isinstance(net, nn.Module) else net.params


def predict_ch8(
    prefix: str,
    num_preds: int,
    net: "nn.Module | RNNModelScratch",
    vocab: Vocab,
    device: torch.device | str | None = None,
) -> str:
    """Continue ``prefix`` by ``num_preds`` characters, each the model's most likely next one.

    The model first reads the prefix (warm-up: its predictions there are
    ignored), then feeds each prediction back as the next input (greedy
    decoding). ``device`` defaults to the device of the model's parameters.
    Returns the prefix followed by the predicted characters. Raises
    ``ValueError`` for an empty prefix or a negative ``num_preds``.

    Defined in ``rnn/rnn-scratch.md``.
    """
    if not prefix:
        raise ValueError("predict_ch8() needs a non-empty prefix to start from")
    if type(num_preds) is not int or num_preds < 0:
        raise ValueError(f"num_preds must be a whole number >= 0, got {num_preds!r}")
    if device is None:
        device = _parameters(net)[0].device
    state = net.begin_state(batch_size=1, device=device)
    outputs = [vocab[prefix[0]]]

    def get_input():
        return torch.tensor([outputs[-1]], device=device).reshape(1, 1)

    with torch.no_grad():
        for y in prefix[1:]:  # warm-up: read the prefix
            _, state = net(get_input(), state)
            outputs.append(vocab[y])
        for _ in range(num_preds):  # predict num_preds steps
            y, state = net(get_input(), state)
            outputs.append(int(y.argmax(dim=1).reshape(1)))
    return "".join(vocab.idx_to_token[i] for i in outputs)


def grad_clipping(net: "nn.Module | RNNModelScratch", theta: float) -> float:
    """Rescale all gradients together so that their joint L2 norm is at most ``theta``.

    The norm is taken over every parameter's gradient at once,
    ``sqrt(sum of squared entries)``; when it exceeds ``theta`` every
    gradient is multiplied by ``theta / norm``. Returns the norm before
    clipping (a float). Raises ``ValueError`` when ``theta`` is not positive.

    Defined in ``rnn/rnn-scratch.md``.
    """
    if not theta > 0:
        raise ValueError(f"grad_clipping() needs a threshold theta > 0, got {theta!r}")
    params = [p for p in _parameters(net) if p.requires_grad and p.grad is not None]
    norm = torch.sqrt(sum(torch.sum(p.grad**2) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm
    return float(norm)


def _detach(state: State) -> State:
    """Cut the state from the graph of the previous minibatch."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def train_epoch_ch8(
    net: "nn.Module | RNNModelScratch",
    train_iter: SeqDataLoader,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    updater: torch.optim.Optimizer,
    device: torch.device | str,
    use_random_iter: bool,
    theta: float = 1.0,
) -> tuple[float, float]:
    """Train for one pass over ``train_iter``; return the perplexity and tokens per second.

    With sequential minibatches (``use_random_iter=False``) the hidden state
    is carried from one minibatch to the next and detached from the graph
    (truncated backpropagation through time); with random ones it starts
    from zero for every minibatch. ``loss`` returns the mean cross-entropy
    over the tokens of a minibatch; gradients are clipped to norm ``theta``
    before each ``updater`` step. Raises ``FloatingPointError`` at the first
    minibatch whose loss is not finite, naming it.

    Defined in ``rnn/rnn-scratch.md``.
    """
    state, timer = None, d2l.Timer()
    total_loss, num_tokens = 0.0, 0
    for i, (X, Y) in enumerate(train_iter):
        if state is None or use_random_iter:
            state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            state = _detach(state)
        y = Y.T.reshape(-1)
        X, y = X.to(device), y.to(device)
        y_hat, state = net(X, state)
        mean_loss = loss(y_hat, y)
        if not torch.isfinite(mean_loss):
            raise FloatingPointError(
                f"the loss of minibatch {i + 1} is {mean_loss.item()}: training diverged. "
                "The usual cause is a learning rate that is too large; try a smaller one."
            )
        updater.zero_grad()
        mean_loss.backward()
        d2l.grad_clipping(net, theta)
        updater.step()
        total_loss += mean_loss.item() * y.numel()
        num_tokens += y.numel()
    if num_tokens == 0:
        raise ValueError("train_epoch_ch8() got a data iterator that yields no minibatches")
    return math.exp(total_loss / num_tokens), num_tokens / timer.stop()


def evaluate_ppl_ch8(
    net: "nn.Module | RNNModelScratch", data_iter: SeqDataLoader, device: torch.device | str
) -> float:
    """The perplexity of the model on sequential minibatches, state carried across them.

    Perplexity is ``exp`` of the mean cross-entropy per predicted token (in
    nats), so 1 is perfect and ``len(vocab)`` is as good as guessing
    uniformly. Runs without gradients; a module is evaluated in evaluation
    mode and left in the mode it was in. Raises ``ValueError`` for an
    iterator that yields no minibatches.

    Defined in ``rnn/rnn-scratch.md``.
    """
    was_training = isinstance(net, nn.Module) and net.training
    if isinstance(net, nn.Module):
        net.eval()
    state, total_loss, num_tokens = None, 0.0, 0
    with torch.no_grad():
        for X, Y in data_iter:
            if state is None:
                state = net.begin_state(batch_size=X.shape[0], device=device)
            y = Y.T.reshape(-1).to(device)
            y_hat, state = net(X.to(device), state)
            total_loss += F.cross_entropy(y_hat, y, reduction="sum").item()
            num_tokens += y.numel()
    if was_training:
        net.train()
    if num_tokens == 0:
        raise ValueError("evaluate_ppl_ch8() got a data iterator that yields no minibatches")
    return math.exp(total_loss / num_tokens)


class RNNHistory:
    """The per-epoch numbers of a language-model run: ``train_ppl``, ``val_ppl``, ``speed``.

    Each is a list with one float per epoch: the training perplexity
    (averaged over the epoch, while the model changes), the validation
    perplexity after the epoch, and the training speed in tokens per second.
    The repr is one short line.

    Defined in ``rnn/rnn-scratch.md``.
    """

    def __init__(self) -> None:
        self.train_ppl, self.val_ppl, self.speed = [], [], []

    def add(self, train_ppl: float, val_ppl: float, speed: float) -> None:
        """Append one epoch's numbers."""
        self.train_ppl.append(train_ppl)
        self.val_ppl.append(val_ppl)
        self.speed.append(speed)

    def __repr__(self) -> str:
        if not self.train_ppl:
            return "RNNHistory(no epochs)"
        n, train, val = len(self.train_ppl), self.train_ppl[-1], self.val_ppl[-1]
        return f"RNNHistory({n} epochs; last: train ppl {train:.2f}, val ppl {val:.2f})"


def train_ch8(
    net: "nn.Module | RNNModelScratch",
    train_iter: SeqDataLoader,
    val_iter: SeqDataLoader,
    vocab: Vocab,
    lr: float,
    num_epochs: int,
    device: torch.device | str | None = None,
    use_random_iter: bool = False,
    theta: float = 1.0,
) -> RNNHistory:
    """Train a character language model with clipped minibatch SGD, drawing its perplexities.

    ``device`` defaults to ``d2l.try_gpu()``; a module is moved there, and a
    scratch model's parameters must already be there. Each epoch runs
    ``train_epoch_ch8`` (SGD at learning rate ``lr``, gradients clipped to
    norm ``theta``), then measures the validation perplexity with
    ``evaluate_ppl_ch8``; both go to an ``Animator``. At the end it prints the
    last training and validation perplexities, the speed in tokens per
    second, and the model's continuation of "time traveller". Returns an
    ``RNNHistory``. Raises ``ValueError`` for a ``num_epochs`` that is not a
    positive whole number, an ``lr`` or ``theta`` that is not positive, or a
    scratch model on another device, and ``FloatingPointError`` naming the
    epoch and minibatch when the loss diverges.

    Defined in ``rnn/rnn-scratch.md``.
    """
    if type(num_epochs) is not int or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    device = torch.device(device) if device is not None else d2l.try_gpu()
    if isinstance(net, nn.Module):
        net.to(device)
    elif net.params[0].device != device:
        raise ValueError(
            f"the scratch model's parameters are on {net.params[0].device}, not on {device}; "
            "create the model with the same device you train on"
        )
    loss = nn.CrossEntropyLoss()
    updater = torch.optim.SGD(_parameters(net), lr=lr)
    animator = d2l.Animator(xlabel="epoch", ylabel="perplexity", xlim=[1, max(num_epochs, 2)],
                            legend=["train", "validation"])  # fmt: skip
    history = RNNHistory()
    for epoch in range(1, num_epochs + 1):
        try:
            ppl, speed = d2l.train_epoch_ch8(
                net, train_iter, loss, updater, device, use_random_iter, theta
            )
        except FloatingPointError as error:
            raise FloatingPointError(f"epoch {epoch}: {error}") from None
        val_ppl = d2l.evaluate_ppl_ch8(net, val_iter, device)
        animator.add(epoch, [ppl, val_ppl])
        history.add(ppl, val_ppl, speed)
    print(f"perplexity {ppl:.2f}, validation perplexity {val_ppl:.2f}, "
          f"{speed:.0f} tokens/sec on {device}")  # fmt: skip
    print(d2l.predict_ch8("time traveller", 50, net, vocab, device))
    return history


class RNNModel(nn.Module):
    """A language model around a PyTorch recurrent layer (``nn.RNN``, ``nn.GRU``, ``nn.LSTM``).

    Token indices ``X`` of shape ``(batch_size, num_steps)`` are one-hot
    encoded, run through ``rnn_layer`` (which must use the default
    ``batch_first=False`` and ``input_size=vocab_size``), and a linear layer
    maps each hidden state (both directions' for a bidirectional layer) to
    ``vocab_size`` logits. Returns outputs of shape
    ``(num_steps * batch_size, vocab_size)`` and the new state.

    Defined in ``rnn/rnn-concise.md``.
    """

    def __init__(self, rnn_layer: nn.RNNBase, vocab_size: int) -> None:
        super().__init__()
        if rnn_layer.input_size != vocab_size:
            raise ValueError(
                f"the recurrent layer takes inputs of size {rnn_layer.input_size}, but the "
                f"one-hot inputs have size vocab_size = {vocab_size}"
            )
        self.rnn, self.vocab_size = rnn_layer, vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, vocab_size)

    def forward(self, inputs: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        X = F.one_hot(inputs.T.long(), self.vocab_size).type(torch.float32)
        Y, state = self.rnn(X, state)
        output = self.linear(Y.reshape(-1, Y.shape[-1]))
        return output, state

    def begin_state(self, batch_size: int, device: torch.device | str) -> State:
        """Zeros of shape ``(num_directions * num_layers, batch_size, num_hiddens)``.

        For an LSTM, a pair of such tensors: the hidden state and the memory cell.
        """
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if isinstance(self.rnn, nn.LSTM):
            return torch.zeros(shape, device=device), torch.zeros(shape, device=device)
        return torch.zeros(shape, device=device)
