"""Where a network's nodes go and what shape its edges take, for :mod:`evonet.plot.network`."""

import numpy as np

__all__ = ["back_edges", "depths", "edge_path"]


def back_edges(nodes, edges):
    """The edges that close a cycle (self connections included), with one cycle as a path.

    A depth-first search over ``nodes`` in order; an edge to a node still on
    the search's path is a back edge. Returns ``(back, cycle)``: the set of
    back edges ``(a, b)`` and the nodes of the first cycle found (``[]`` if none).
    """
    children = {n: [] for n in nodes}
    for a, b in edges:
        children[a].append(b)
    state = dict.fromkeys(nodes, 0)   # 0 unseen, 1 on the path, 2 done
    back, cycle = set(), []
    for root in nodes:
        if state[root]:
            continue
        path, stack = [root], [iter(children[root])]
        state[root] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif state[child] == 1:
                back.add((path[-1], child))
                if not cycle:
                    cycle = path[path.index(child):] + [child]
            elif state[child] == 0:
                state[child] = 1
                path.append(child)
                stack.append(iter(children[child]))
    return back, cycle


def depths(nodes, edges):
    """Longest-path depth of each node over ``edges`` (which must form no cycle)."""
    depth = dict.fromkeys(nodes, 0)
    incoming = {n: 0 for n in nodes}
    children = {n: [] for n in nodes}
    for a, b in edges:
        children[a].append(b)
        incoming[b] += 1
    ready = [n for n in nodes if incoming[n] == 0]
    while ready:
        n = ready.pop()
        for b in children[n]:
            depth[b] = max(depth[b], depth[n] + 1)
            incoming[b] -= 1
            if incoming[b] == 0:
                ready.append(b)
    return depth


def edge_path(start, end, n=16):
    """Points of an edge drawn from ``start`` to ``end``: straight forward, curved back.

    An edge to the next column is a straight segment; one that skips columns
    bends a little, one going back or within a column bends high above, so
    that it stays visible beside the forward edges; a self connection is a
    small loop above its node.
    """
    (x0, y0), (x1, y1) = start, end
    if (x0, y0) == (x1, y1):
        t = np.linspace(0, 2 * np.pi, n)
        r = 0.12
        return np.column_stack([x0 + r * np.sin(t), y0 + r * (1 - np.cos(t))])
    if x0 < x1 <= x0 + 1:
        return np.array([start, end], dtype=float)
    # a quadratic Bezier curve through a control point above the middle: back edges bend
    # high, and forward edges that skip columns bend a little, so that none hides behind
    # the nodes and edges of the columns it crosses
    t = np.linspace(0, 1, n)[:, None]
    lift = 0.35 + 0.15 * abs(x1 - x0) if x1 <= x0 else 0.12 * (x1 - x0 - 1) + 0.1
    control = np.array([(x0 + x1) / 2, (y0 + y1) / 2 + lift if x1 > x0
                        else max(y0, y1) + lift])
    a, b = np.array(start, dtype=float), np.array(end, dtype=float)
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * control + t ** 2 * b
