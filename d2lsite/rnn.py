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
    "check_seq_sizes",
    "evaluate_ppl_ch8",
    "grad_clipping",
    "load_corpus_time_machine",
    "load_data_time_machine",
    "predict_ch8",
    "read_time_machine",
    "scratch_params",
    "seq_data_iter_random",
    "seq_data_iter_sequential",
    "tokenize",
    "train_ch8",
    "train_epoch_ch8",
]

State = torch.Tensor | tuple[torch.Tensor, ...]


def read_time_machine() -> list[str]:
    """The lines of *The Time Machine*, lower case, letters and single spaces only.

    Each line keeps its runs of letters, lower-cased and joined by single
    spaces; everything else (punctuation, digits) acts as a separator, and
    lines without letters are dropped. Reads the file through
    ``d2l.download("timemachine.txt")``, which raises ``FileNotFoundError``
    when there is no copy and no network.

    Defined in ``rnn/text-sequence.md``.
    """
    text = d2l.download("timemachine.txt").read_text(encoding="utf-8")
    words_per_line = (re.findall("[a-z]+", line.lower()) for line in text.splitlines())
    return [" ".join(words) for words in words_per_line if words]


def tokenize(lines: Sequence[str], token: str = "word") -> list[list[str]]:
    """Split each line into tokens: words (``token="word"``) or characters (``"char"``).

    Returns one list of string tokens per line. Raises ``ValueError`` for any
    other ``token``.

    Defined in ``rnn/text-sequence.md``.
    """
    splitters = {"word": str.split, "char": list}
    if token not in splitters:
        raise ValueError(f'tokenize() needs token="word" or token="char", got {token!r}')
    return [splitters[token](line) for line in lines]


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
        if tokens and isinstance(tokens[0], list):  # lines of tokens: flatten them
            tokens = [tok for line in tokens for tok in line]
        self.token_freqs = collections.Counter(tokens).most_common()
        frequent = [tok for tok, count in self.token_freqs if count >= min_freq]
        # dict.fromkeys drops repeats and keeps the first position of each token
        self.idx_to_token = list(dict.fromkeys(["<unk>", *reserved_tokens, *frequent]))
        self.token_to_idx = {tok: i for i, tok in enumerate(self.idx_to_token)}

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __getitem__(self, tokens: str | Sequence[str]) -> int | list[int]:
        if isinstance(tokens, (list, tuple)):
            return [self.token_to_idx.get(tok, self.unk) for tok in tokens]
        return self.token_to_idx.get(tokens, self.unk)

    def to_tokens(self, indices: int | Sequence[int]) -> str | list[str]:
        """The token of one index, or the list of tokens of a list of indices.

        Raises ``IndexError`` for an index outside ``0 .. len(vocab) - 1``.
        """
        if not isinstance(indices, (list, tuple)):
            return self.to_tokens([indices])[0]
        bad = [i for i in indices if not 0 <= i < len(self)]
        if bad:
            raise IndexError(f"index {bad[0]} is outside this vocabulary of {len(self)} tokens")
        return [self.idx_to_token[i] for i in indices]

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
    (tokens,) = tokenize([" ".join(read_time_machine())], token)
    vocab = Vocab(tokens)
    corpus = vocab[tokens if max_tokens <= 0 else tokens[:max_tokens]]
    return corpus, vocab


def check_seq_sizes(corpus: Sequence[int], batch_size: int, num_steps: int) -> None:
    """Raise ``ValueError`` unless the sizes are positive whole numbers that fit the corpus.

    One minibatch needs ``batch_size * num_steps`` tokens plus one more for
    the last label; the message names the bad value and what to change.

    Defined in ``rnn/language-model.md``.
    """
    for name, value in [("batch_size", batch_size), ("num_steps", num_steps)]:
        if type(value) is not int or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    if len(corpus) < batch_size * num_steps + 1:
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
    windows of ``num_steps`` tokens; these are shuffled and grouped
    ``batch_size`` at a time. Yields ``(X, Y)``: ``int64`` tensors of shape
    ``(batch_size, num_steps)``, ``Y`` being ``X`` shifted one token to the
    right. Neighbouring minibatches are not adjacent in the text. Uses
    Python's ``random``; yields at most ``d2l.batch_limit()`` minibatches
    when that is not ``None``. Raises ``ValueError`` for sizes that are not
    positive whole numbers or a corpus too short for one minibatch.

    Defined in ``rnn/language-model.md``.
    """
    check_seq_sizes(corpus, batch_size, num_steps)
    offset = random.randint(0, num_steps - 1)
    num_windows = (len(corpus) - offset - 1) // num_steps
    order = list(range(num_windows))
    random.shuffle(order)
    tokens = torch.tensor(corpus[offset:])
    num_batches = num_windows // batch_size
    num_batches = min(num_batches, d2l.batch_limit() or num_batches)
    for b in range(num_batches):
        first = torch.tensor(order[b * batch_size : (b + 1) * batch_size]) * num_steps
        positions = first[:, None] + torch.arange(num_steps)  # (batch_size, num_steps)
        yield tokens[positions], tokens[positions + 1]


def seq_data_iter_sequential(
    corpus: Sequence[int], batch_size: int, num_steps: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Minibatches whose rows continue the rows of the previous one (sequential partitioning).

    From a random offset in ``0 .. num_steps - 1`` the corpus is split into
    ``batch_size`` equally long stretches, one per row, which are read
    ``num_steps`` tokens at a time. Row ``i`` of one minibatch therefore ends
    where row ``i`` of the next one begins, so a model may carry its hidden
    state across minibatches. Yields ``(X, Y)`` as in
    ``seq_data_iter_random``: ``int64`` tensors of shape ``(batch_size,
    num_steps)``, at most ``d2l.batch_limit()`` of them when that is not
    ``None``. Raises ``ValueError`` as ``seq_data_iter_random`` does.

    Defined in ``rnn/language-model.md``.
    """
    check_seq_sizes(corpus, batch_size, num_steps)
    offset = random.randint(0, num_steps - 1)
    stretch = (len(corpus) - offset - 1) // batch_size  # tokens per row
    tokens = torch.tensor(corpus[offset:])
    num_batches = stretch // num_steps
    num_batches = min(num_batches, d2l.batch_limit() or num_batches)
    row_starts = torch.arange(batch_size)[:, None] * stretch
    for b in range(num_batches):
        positions = row_starts + b * num_steps + torch.arange(num_steps)
        yield tokens[positions], tokens[positions + 1]


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
        check_seq_sizes(corpus, batch_size, num_steps)
        self.corpus, self.batch_size, self.num_steps = corpus, batch_size, num_steps
        self.use_random_iter = use_random_iter

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        sample = d2l.seq_data_iter_random if self.use_random_iter else d2l.seq_data_iter_sequential
        return sample(self.corpus, self.batch_size, self.num_steps)


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
    split = round(len(corpus) * (1 - val_fraction))
    train_iter = d2l.SeqDataLoader(corpus[:split], batch_size, num_steps, use_random_iter)
    val_iter = d2l.SeqDataLoader(corpus[split:], batch_size, num_steps, False)
    return train_iter, val_iter, vocab


def scratch_params(
    shapes: dict[str, tuple[int, ...]], device: torch.device | str, sigma: float = 0.01
) -> dict[str, torch.Tensor]:
    """New trainable tensors, by name: weights drawn from N(0, sigma^2), biases zero.

    ``shapes`` maps names to shapes; a name starting with ``"W"`` is a weight,
    any other name a bias. Tensors are ``float32`` on ``device``, with
    ``requires_grad``, created in the order of ``shapes``.

    Defined in ``rnn/rnn-scratch.md``.
    """
    params = {}
    for name, shape in shapes.items():
        if name.startswith("W"):
            params[name] = torch.randn(shape, device=device) * sigma
        else:
            params[name] = torch.zeros(shape, device=device)
        params[name].requires_grad_(True)
    return params


class RNNModelScratch:
    """A character language model from a hand-written recurrent step and named tensors.

    ``step(X_t, state, params)`` maps one time step's one-hot inputs ``X_t``
    of shape ``(batch_size, vocab_size)`` and a state (a tuple whose first
    tensor is the hidden state ``H`` of shape ``(batch_size, num_hiddens)``)
    to the next state. ``params`` is a dict of tensors that ``step`` reads,
    including the output layer ``W_hq`` (``(num_hiddens, vocab_size)``) and
    ``b_q``. The state has ``num_state`` zero tensors at the start (2 for an
    LSTM's hidden state and memory cell). Calling the model on token indices
    ``X`` of shape ``(batch_size, num_steps)`` returns logits of shape
    ``(num_steps * batch_size, vocab_size)``, rows ordered time step by time
    step, and the final state.

    Defined in ``rnn/rnn-scratch.md``.
    """

    def __init__(
        self,
        step: Callable[..., tuple[torch.Tensor, ...]],
        params: dict[str, torch.Tensor],
        vocab_size: int,
        num_hiddens: int,
        num_state: int = 1,
    ) -> None:
        self.step, self.params = step, params
        self.vocab_size, self.num_hiddens, self.num_state = vocab_size, num_hiddens, num_state

    def parameters(self) -> list[torch.Tensor]:
        """The trainable tensors, as ``nn.Module.parameters()`` gives them for a module."""
        return list(self.params.values())

    def begin_state(self, batch_size: int, device: torch.device | str) -> tuple[torch.Tensor, ...]:
        """A tuple of ``num_state`` zero tensors of shape ``(batch_size, num_hiddens)``."""
        shape = (batch_size, self.num_hiddens)
        return tuple(torch.zeros(shape, device=device) for _ in range(self.num_state))

    def __call__(
        self, X: torch.Tensor, state: tuple[torch.Tensor, ...]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        hidden_states = []
        for x_t in F.one_hot(X.T, self.vocab_size).float():  # time steps in order
            state = self.step(x_t, state, self.params)
            hidden_states.append(state[0])
        H = torch.cat(hidden_states)  # (num_steps * batch_size, num_hiddens)
        return H @ self.params["W_hq"] + self.params["b_q"], state


def predict_ch8(
    prefix: str,
    num_preds: int,
    net: "nn.Module | RNNModelScratch",
    vocab: Vocab,
    device: torch.device | str | None = None,
) -> str:
    """Continue ``prefix`` by ``num_preds`` characters, each the model's most likely next one.

    The model reads the prefix one character at a time (warm-up: its
    predictions there are ignored), then feeds each prediction back as the
    next input (greedy decoding). ``device`` defaults to the device of the
    model's parameters. Returns the prefix followed by the predicted
    characters. Raises ``ValueError`` for an empty prefix or a negative
    ``num_preds``.

    Defined in ``rnn/rnn-scratch.md``.
    """
    if not prefix:
        raise ValueError("predict_ch8() needs a non-empty prefix to start from")
    if type(num_preds) is not int or num_preds < 0:
        raise ValueError(f"num_preds must be a whole number >= 0, got {num_preds!r}")
    if device is None:
        device = next(iter(net.parameters())).device
    ids = vocab[list(prefix)]
    state = net.begin_state(1, device)
    with torch.no_grad():
        for t in range(len(prefix) + num_preds - 1):
            logits, state = net(torch.tensor([[ids[t]]], device=device), state)
            if t >= len(prefix) - 1:  # past the warm-up: keep the prediction
                ids.append(int(logits.argmax()))
    return prefix + "".join(vocab.to_tokens(ids[len(prefix) :]))


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
    grads = [p.grad for p in net.parameters() if p.grad is not None]
    norm = float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))
    if norm > theta:
        for g in grads:
            g.mul_(theta / norm)
    return norm


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
    timer, state = d2l.Timer(), None
    nats, count = 0.0, 0  # summed cross-entropy and number of predicted tokens
    for batch, (X, Y) in enumerate(train_iter, start=1):
        X, y = X.to(device), Y.T.reshape(-1).to(device)  # y in the order of the outputs
        if use_random_iter or state is None:
            state = net.begin_state(X.shape[0], device)
        elif isinstance(state, tuple):  # keep the values, drop the previous graph
            state = tuple(s.detach() for s in state)
        else:
            state = state.detach()
        logits, state = net(X, state)
        mean_loss = loss(logits, y)
        if not torch.isfinite(mean_loss):
            raise FloatingPointError(
                f"the loss of minibatch {batch} is {mean_loss.item()}: training diverged. "
                "The usual cause is a learning rate that is too large; try a smaller one."
            )
        updater.zero_grad()
        mean_loss.backward()
        d2l.grad_clipping(net, theta)
        updater.step()
        nats, count = nats + mean_loss.item() * y.numel(), count + y.numel()
    if count == 0:
        raise ValueError("train_epoch_ch8() got a data iterator that yields no minibatches")
    return math.exp(nats / count), count / timer.stop()


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
    is_module = isinstance(net, nn.Module)
    was_training = is_module and net.training
    if is_module:
        net.eval()
    state, nats, count = None, 0.0, 0
    with torch.no_grad():
        for X, Y in data_iter:
            state = net.begin_state(X.shape[0], device) if state is None else state
            logits, state = net(X.to(device), state)
            y = Y.T.reshape(-1).to(device)
            nats += F.cross_entropy(logits, y, reduction="sum").item()
            count += y.numel()
    if was_training:
        net.train()
    if count == 0:
        raise ValueError("evaluate_ppl_ch8() got a data iterator that yields no minibatches")
    return math.exp(nats / count)


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
    device = d2l.try_gpu() if device is None else torch.device(device)
    if isinstance(net, nn.Module):
        net.to(device)
    elif net.parameters()[0].device != device:
        raise ValueError(
            f"the scratch model's parameters are on {net.parameters()[0].device}, not on "
            f"{device}; create the model with the same device you train on"
        )
    loss, updater = nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=lr)
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
        history.add(ppl, d2l.evaluate_ppl_ch8(net, val_iter, device), speed)
        animator.add(epoch, [ppl, history.val_ppl[-1]])
    print(f"perplexity {ppl:.2f}, validation perplexity {history.val_ppl[-1]:.2f}, "
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
        directions = 2 if rnn_layer.bidirectional else 1
        self.rnn, self.vocab_size, self.num_hiddens = rnn_layer, vocab_size, rnn_layer.hidden_size
        self.num_state_rows = directions * rnn_layer.num_layers  # first axis of the state
        self.linear = nn.Linear(directions * rnn_layer.hidden_size, vocab_size)

    def forward(self, X: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        H, state = self.rnn(F.one_hot(X.T.long(), self.vocab_size).float(), state)
        return self.linear(H.flatten(0, 1)), state  # H: (num_steps, batch_size, ...)

    def begin_state(self, batch_size: int, device: torch.device | str) -> State:
        """Zeros of shape ``(num_directions * num_layers, batch_size, num_hiddens)``.

        For an LSTM, a pair of such tensors: the hidden state and the memory cell.
        """
        zeros = torch.zeros(self.num_state_rows, batch_size, self.num_hiddens, device=device)
        return (zeros, zeros.clone()) if isinstance(self.rnn, nn.LSTM) else zeros
