"""The forward and backward passes, as free functions of a plan.

Each takes the :class:`~tsgate.engine.plan.Plan` of the batch's shape (its
kernels and workspace) and the named views of the parameters
(``Layout.views``); nothing is chosen behind the caller's back.
"""


def forward(plan, p, xb, masks=None):
    """Run the network on one tiled batch.

    Parameters
    ----------
    plan : Plan
        Of ``xb``'s shape.
    p : dict
        Named views of the parameters (``Layout.views``).
    xb : array of shape (NT, T, BT, F)
    masks : list of arrays of shape (NT, BT, D), optional
        Dropout masks, one per layer output (training only).

    Returns
    -------
    pred : array of shape (NT, BT, O)
        A workspace buffer: copy it before the plan's next pass.
    """
    s, k, w = plan.spec, plan.kernels, plan.work
    NT, T, BT, _ = xb.shape
    inp = xb
    layer_forward = k.lstm_layer_forward if s.cell == "lstm" else k.gru_layer_forward
    for layer, (entry, per_name) in enumerate(zip(w["layers"], p["layer_args"])):
        # all directions in one call (one launch on CUDA); per weight name, a
        # tuple over the directions: W_x, W_h, b (LSTM) or W_x, W_h, b_x, b_h
        # (GRU), then the state buffers: hs, cs, gates (LSTM) or hs, gates, hn
        layer_forward(inp, *per_name, *entry["states"])
        if s.ndir == 2:
            k.concat_features(entry["dirs"][0]["hs"], entry["dirs"][1]["hs"], entry["seq"])
        inp = entry["seq"]
        if masks is not None:
            k.apply_mask(inp, masks[layer], entry["dropped"])
            inp = entry["dropped"]
    w["top"] = inp  # (NT, T, BT, D) what the head reads
    k.final_state(inp, s.ndir, w["q"])
    z = w["q"]
    if s.attention:
        D = s.width
        k.attention_forward(inp, w["q"], p["att.W_a"], p["att.U_a"], p["att.b_a"],
                            p["att.v"], w["u"], w["weights"], w["ctx"])
        k.concat_features(w["q"].reshape(NT, 1, BT, D), w["ctx"].reshape(NT, 1, BT, D),
                          w["z"].reshape(NT, 1, BT, 2 * D))
        z = w["z"]
    w["zin"] = z
    k.dense_forward(z, p["head.W"], p["head.b"], w["pred"])
    return w["pred"]


def loss_and_grad(plan, p, g, xb, yb, loss_kind=0, loss_param=0.0, masks=None, out=None,
                  slot=0):
    """Mean loss over the finite targets of one batch, and its gradient.

    Parameters
    ----------
    plan : Plan
        Of ``xb``'s shape, with gradient buffers (``grads=True``).
    p, g : dict
        Named views of the parameters and of the gradient (assigned).
    xb : array of shape (NT, T, BT, F)
    yb : array of shape (NT, BT, O)
        NaN targets (padding, missing values) are masked out.
    loss_kind, loss_param : int, float
        ``int(LossKind)`` and its parameter (``kernels/cellmath.py``).
    masks : list of dropout masks, optional
    out : array of shape (S,) float64 on the backend's device, optional
        Write the loss into ``out[slot]`` instead of returning it: the
        training loop's per-epoch slots, so that a step on a GPU copies
        nothing back (``engine/training.py``).
    slot : int

    Returns
    -------
    loss : float or None
        The loss without ``out``; None with it.
    """
    s, k, w = plan.spec, plan.kernels, plan.work
    NT, T, BT, _ = xb.shape
    pred = forward(plan, p, xb, masks)
    parts = w["parts"]
    loss = k.loss_forward_backward(pred, yb, loss_kind, loss_param, w["dpred"], out, slot)
    k.dense_backward(w["zin"], p["head.W"], w["dpred"], w["dz"], parts["head.W"], parts["head.b"])
    top_grad = w["layers"][-1]["dmasked" if masks is not None else "dseq"]
    D = s.width
    if s.attention:
        k.split_features(w["dz"].reshape(NT, 1, BT, 2 * D), w["dq"].reshape(NT, 1, BT, D),
                         w["dctx"].reshape(NT, 1, BT, D))
        k.attention_backward(w["top"], w["q"], p["att.W_a"], p["att.U_a"], p["att.v"], w["u"],
                             w["weights"], w["dctx"], w["du"], top_grad, w["dq_att"],
                             parts["att.W_a"], parts["att.U_a"], parts["att.b_a"], parts["att.v"])
        k.add_into(w["dq"], w["dq_att"])
        dq = w["dq"]
    else:
        k.fill(top_grad, 0)
        dq = w["dz"]
    k.final_state_backward(dq, s.ndir, top_grad)
    for layer in range(s.num_layers - 1, -1, -1):
        _layer_backward(plan, p, xb, layer, masks)
    k.reduce_partials(w["parts_flat"], w["part_offsets"], g["flat"])  # all at once
    return float(loss) if out is None else None


def _layer_backward(plan, p, xb, layer, masks):
    """Backpropagate through recurrent layer ``layer``: from its output
    gradient (``dseq``, or ``dmasked`` under dropout) to its parameter
    partials and to the output gradient of the layer below."""
    s, k, w = plan.spec, plan.kernels, plan.work
    parts = w["parts"]
    entry = w["layers"][layer]
    if masks is not None:
        k.apply_mask(entry["dmasked"], masks[layer], entry["dseq"])
    dirs = entry["dirs"]
    if s.ndir == 2:
        k.split_features(entry["dseq"], dirs[0]["dhs"], dirs[1]["dhs"])
        dh = [dirs[0]["dhs"], dirs[1]["dhs"]]
    else:
        dh = [entry["dseq"]]
    inp = xb if layer == 0 else w["layers"][layer - 1]["dropped" if masks is not None else "seq"]
    names = [f"l{layer}.d{d}." for d in range(s.ndir)]
    W_x = tuple(p[n + "W_x"] for n in names)
    W_h = tuple(p[n + "W_h"] for n in names)
    grads = lambda *keys: [tuple(parts[n + key] for n in names) for key in keys]  # noqa: E731
    dhs = tuple(dh)
    need_dx = layer > 0  # layer 0's input gradient is never read
    if s.cell == "lstm":
        k.lstm_layer_backward(inp, W_x, W_h, *entry["states"], dhs,
                              *_bufs(entry, "dgx", "dx"), *grads("W_x", "W_h", "b"),
                              need_dx=need_dx)
    else:
        k.gru_layer_backward(inp, W_x, W_h, *entry["states"], dhs,
                             *_bufs(entry, "dgx", "dgh", "dx"),
                             *grads("W_x", "W_h", "b_x", "b_h"), need_dx=need_dx)
    if layer > 0:
        below = w["layers"][layer - 1]
        target = below["dmasked"] if masks is not None else below["dseq"]
        k.copy_into(target, dirs[0]["dx"])
        if s.ndir == 2:
            k.add_into(target, dirs[1]["dx"])


def _bufs(entry, *keys):
    """Per key, the tuple over the layer's directions of that buffer."""
    return [tuple(buf[key] for buf in entry["dirs"]) for key in keys]
