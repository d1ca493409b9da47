"""A network's drawing: an MLP's layers or a NEAT genome's graph, placed by depth."""

import numbers

import numpy as np

from evonet.genome.neat import ENABLED, IN_NODE, NODE_ID, OUT_NODE, WEIGHT
from evonet.genome.structure import active_hidden_nodes
from evonet.plot._common import axes_or_new, fitted_model, policy_parts
from evonet.plot._graph import back_edges, depths, edge_path

__all__ = ["NetworkDisplay"]

COLORS = {"input": "lightgray", "hidden": "khaki", "output": "lightgreen"}
MAX_LABELS = 40
"""Nodes are labelled when there are at most this many."""


class NetworkDisplay:
    """A network drawn left to right: inputs, hidden nodes by depth, outputs.

    Edge colour gives the weight's sign (blue positive, red negative), its
    width the magnitude. A NEAT genome's hidden nodes stand at their depth
    (the longest enabled path from an input); connections that go back (the
    recurrent ones) bend above the nodes and a node's connection to itself is
    a loop. Use :meth:`from_estimator`, :meth:`from_policy` or
    :meth:`from_genome`; all parameters are stored as attributes.

    Parameters
    ----------
    positions : dict of node to (x, y)
    kinds : dict of node to {"input", "hidden", "output"}
    edges : list of (source, target, weight, enabled)
    labels : dict of node to str
    inactive : set of node, default=()
        Hidden nodes on no enabled path from an input to an output (drawn faded).
    title : str, default=None

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    nodes_ : PathCollection
        One marker per node.
    edges_ : LineCollection
        One line per drawn connection (enabled ones).
    disabled_edges_ : LineCollection or None
        The disabled connections, when drawn (``show_disabled``).
    labels_ : list of Text

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from evonet.genome.neat import NeatGenome
    >>> genome = NeatGenome(2, 1, nodes=[(0, 0, 0), (1, 0, 0), (2, 0.5, 1), (3, 0, 1)],
    ...                     connections=[(0, 0, 3, 1.0, True), (1, 3, 2, -2.0, True),
    ...                                  (2, 1, 2, 0.5, True), (3, 0, 2, 1.0, False)])
    >>> display = NetworkDisplay.from_genome(genome, ax=Figure().subplots())
    >>> len(display.nodes_.get_offsets()), len(display.edges_.get_segments())
    (4, 3)
    """

    def __init__(self, *, positions, kinds, edges, labels, inactive=(), title=None):
        self.positions = positions
        self.kinds = kinds
        self.edges = edges
        self.labels = labels
        self.inactive = set(inactive)
        self.title = title

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, feed_forward=None, **plot_params):
        """The network of a fitted estimator (or of a ``Pipeline`` ending in one)."""
        model = fitted_model(estimator)
        names = getattr(model, "feature_names_in_", None)
        if hasattr(model, "genome_"):
            return cls.from_genome(model.genome_, input_names=names, feed_forward=feed_forward,
                                   ax=ax, **plot_params)
        if not hasattr(model, "coefs_"):
            raise ValueError(f"{type(model).__name__} has no network to draw (neither coefs_ "
                             f"nor genome_).")
        return cls.from_layers(model.coefs_, input_names=names, ax=ax, **plot_params)

    @classmethod
    def from_policy(cls, policy, *, ax=None, feed_forward=None, **plot_params):
        """The network of an :class:`~evonet.control.EvolvedPolicy` (MLP or NEAT)."""
        network, weights, _ = policy_parts(policy)
        if hasattr(weights, "connections"):
            return cls.from_genome(weights, feed_forward=feed_forward, ax=ax, **plot_params)
        if not hasattr(network, "layout"):
            raise ValueError(f"NetworkDisplay draws MLP and NEAT networks; {network!r} is "
                             f"neither.")
        layers = network.layout.unpack(network.expand([weights]))
        return cls.from_layers([np.asarray(W)[0] for W, _ in layers], ax=ax, **plot_params)

    @classmethod
    def from_layers(cls, coefs, *, input_names=None, ax=None, **plot_params):
        """The drawing of an MLP from its weight matrices (``coefs_``, fan_in x fan_out)."""
        coefs = [np.asarray(W, dtype=float) for W in coefs]
        if not coefs or any(W.ndim != 2 for W in coefs):
            raise ValueError("coefs must be a non-empty list of 2-d weight matrices.")
        sizes = [coefs[0].shape[0]] + [W.shape[1] for W in coefs]
        first = np.cumsum([0] + sizes)
        positions, kinds, labels = {}, {}, {}
        for k, n in enumerate(sizes):
            kind = "input" if k == 0 else "output" if k == len(sizes) - 1 else "hidden"
            for j in range(n):
                node = int(first[k] + j)
                positions[node] = (float(k), (n - 1) / 2 - j)
                kinds[node] = kind
                labels[node] = "" if kind != "input" else (
                    f"x{j}" if input_names is None else str(input_names[j]))
        edges = [(int(first[k] + i), int(first[k + 1] + j), float(W[i, j]), True)
                 for k, W in enumerate(coefs) for i in range(W.shape[0])
                 for j in range(W.shape[1])]
        display = cls(positions=positions, kinds=kinds, edges=edges, labels=labels,
                      title=f"MLP {'-'.join(map(str, sizes))}")
        return display.plot(ax=ax, **plot_params)

    @classmethod
    def from_genome(cls, genome, *, feed_forward=None, input_names=None, ax=None,
                    **plot_params):
        """The drawing of a NEAT genome.

        Parameters
        ----------
        genome : NeatGenome
        feed_forward : bool or None, default=None
            ``True`` refuses a genome whose enabled connections form a cycle
            (``ValueError`` naming it); ``None`` or ``False`` draw cycles as
            recurrent connections.
        input_names : sequence of str, default=None
        ax : matplotlib Axes, default=None
        **plot_params : passed to :meth:`plot`.
        """
        if feed_forward not in (None, True, False):
            raise ValueError(f"feed_forward must be None, True or False, got {feed_forward!r}.")
        if not all(hasattr(genome, a) for a in ("nodes", "connections", "n_inputs")):
            raise ValueError(f"genome must be a NeatGenome, got {type(genome).__name__}.")
        nodes = genome.nodes[:, NODE_ID].astype(int).tolist()
        genes = genome.connections
        edges = [(int(c[IN_NODE]), int(c[OUT_NODE]), float(c[WEIGHT]), bool(c[ENABLED]))
                 for c in genes]
        enabled = [(a, b) for a, b, _, on in edges if on]
        back, cycle = back_edges(nodes, enabled)
        if feed_forward and back:
            raise ValueError(f"the genome has a cycle ({' -> '.join(map(str, cycle))}), so it "
                             f"cannot be drawn feed-forward; pass feed_forward=False to draw "
                             f"its recurrent connections.")
        depth = depths(nodes, [e for e in enabled if e not in back])
        n_in, n_io = genome.n_inputs, genome.n_inputs + genome.n_outputs
        kinds = {n: "input" if n < n_in else "output" if n < n_io else "hidden" for n in nodes}
        column = {n: 0 if kinds[n] == "input" else max(depth[n], 1) for n in nodes}
        last = max([column[n] for n in nodes if kinds[n] == "hidden"], default=0) + 1
        column.update({n: last for n in nodes if kinds[n] == "output"})
        positions = {}
        for x in sorted(set(column.values())):
            members = [n for n in nodes if column[n] == x]
            positions.update({n: (float(x), (len(members) - 1) / 2 - k)
                              for k, n in enumerate(members)})
        labels = {n: str(input_names[n]) if input_names is not None and n < n_in else str(n)
                  for n in nodes}
        inactive = set(n for n in nodes if kinds[n] == "hidden") - set(
            active_hidden_nodes(genome))
        display = cls(positions=positions, kinds=kinds, edges=edges, labels=labels,
                      inactive=inactive,
                      title=f"{len(nodes) - n_io} hidden nodes, {len(enabled)} enabled "
                            f"connections" + (", recurrent" if back else ""))
        return display.plot(ax=ax, **plot_params)

    def plot(self, ax=None, *, max_edges=None, show_disabled=False, labels=True,
             node_size=300):
        """Draw the network on ``ax`` (a new figure if ``None``); return ``self``.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        max_edges : int, default=None
            Draw only this many enabled connections, those of largest
            magnitude (all if ``None``).
        show_disabled : bool, default=False
            Also draw the disabled connections (grey, dashed).
        labels : bool, default=True
            Name the nodes (ids, or input names), when there are at most 40.
        node_size : float, default=300
        """
        from matplotlib.collections import LineCollection

        if max_edges is not None and (not isinstance(max_edges, numbers.Integral)
                                      or isinstance(max_edges, bool) or max_edges < 1):
            raise ValueError(f"max_edges must be a positive integer or None, got "
                             f"{max_edges!r}.")
        ax = axes_or_new(ax)
        enabled = [e for e in self.edges if e[3]]
        if max_edges is not None and len(enabled) > max_edges:
            order = np.argsort([-abs(e[2]) for e in enabled], kind="stable")[:max_edges]
            enabled = [enabled[k] for k in sorted(order)]
        scale = max([abs(e[2]) for e in enabled], default=0.0) or 1.0
        self.edges_ = ax.add_collection(LineCollection(
            [edge_path(self.positions[a], self.positions[b]) for a, b, _, _ in enabled],
            colors=["tab:blue" if w >= 0 else "tab:red" for _, _, w, _ in enabled],
            linewidths=[0.4 + 2.6 * abs(w) / scale for _, _, w, _ in enabled], zorder=1))
        disabled = [e for e in self.edges if not e[3]]
        self.disabled_edges_ = None
        if show_disabled and disabled:
            self.disabled_edges_ = ax.add_collection(LineCollection(
                [edge_path(self.positions[a], self.positions[b]) for a, b, _, _ in disabled],
                colors="gray", linestyles="dashed", linewidths=0.8, zorder=1))
        nodes = list(self.positions)
        xy = np.array([self.positions[n] for n in nodes], dtype=float).reshape(-1, 2)
        self.nodes_ = ax.scatter(xy[:, 0], xy[:, 1], s=node_size, zorder=3, edgecolors="k",
                                 c=[COLORS[self.kinds[n]] for n in nodes],
                                 alpha=[0.35 if n in self.inactive else 1.0 for n in nodes])
        self.labels_ = []
        if labels and len(nodes) <= MAX_LABELS:
            self.labels_ = [ax.text(x, y, self.labels[n], ha="center", va="center",
                                    fontsize=7, zorder=4) for n, (x, y) in zip(nodes, xy)]
        ax.autoscale_view()
        ax.margins(0.1)
        ax.set_axis_off()
        if self.title:
            ax.set_title(f"{self.title}\n(blue: positive weight, red: negative; width: "
                         f"|weight|)", fontsize=9)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
