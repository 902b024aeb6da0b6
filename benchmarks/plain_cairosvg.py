"""Plain CairoSVG, in a process of its own: importing svgrender patches CairoSVG (its seams), so
a baseline measured next to it would not be plain. Reads a JSON job on stdin, prints JSON.

job: {"mode": "time", "files": [[path, [[w, h], ...]], ...], "runs": N}
  -> {path: median CPU ms to draw all sizes to PNG}
job: {"mode": "render", "files": [[path, w, h, out_path], ...]}
  -> {path: "ok" | error}
"""

import json
import statistics
import sys
import time

import cairosvg


def main() -> None:
    job = json.load(sys.stdin)
    out = {}
    if job["mode"] == "time":
        for path, sizes in job["files"]:
            data = open(path, "rb").read()
            times = []
            for _ in range(job["runs"]):
                start = time.process_time()
                for width, height in sizes:
                    cairosvg.svg2png(bytestring=data, output_width=width, output_height=height)
                times.append((time.process_time() - start) * 1000)
            out[path] = statistics.median(times)
    else:
        for path, width, height, target in job["files"]:
            try:
                cairosvg.svg2png(url=path, write_to=target, output_width=width,
                                 output_height=height)
                out[path] = "ok"
            except Exception as exc:  # CairoSVG's own failures are part of the comparison
                out[path] = f"{type(exc).__name__}"
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
