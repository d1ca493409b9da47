"""Draw the README's two pictures from real runs: ``python tools/readme_pictures.py``.

The pictures are the figures of two gallery examples, run as the documentation build runs
them (``examples/plot_neat_moons.py``: a network NEAT evolved, beside its decision
boundary; ``examples/plot_iris_learning_curve.py``: a classifier's learning curve), written
as PNG files to ``docs/_static/readme/``. Needs matplotlib (``pip install -e ".[docs]"``).
"""

import argparse
import os
import runpy
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "docs", "_static", "readme")
PICTURES = {
    "evolved_network.png": "plot_neat_moons.py",
    "learning_curve.png": "plot_iris_learning_curve.py",
}
"""The README's pictures: file name in ``docs/_static/readme/`` -> example in ``examples/``."""


def draw(example, path):
    """Run ``examples/EXAMPLE`` and save the figure it drew last to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # plt.show() on Agg draws nothing
        runpy.run_path(os.path.join(ROOT, "examples", example), run_name="__main__")
    plt.gcf().savefig(path, dpi=90)
    plt.close("all")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=OUT, help="where the PNG files go (default: "
                        "docs/_static/readme/)")
    args = parser.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    for name, example in PICTURES.items():
        path = os.path.join(args.out_dir, name)
        draw(example, path)
        print(f"{path}: from examples/{example}")


if __name__ == "__main__":
    main()
