"""`py_stats`: descriptive statistics of a sample, and a least-squares line for paired data.

A toolhost tool written in Python with only the standard library (`statistics`), built
into a WebAssembly component by componentize-py against toolhost's contract (wit/tool.wit).
The host validates every input against INPUT_SCHEMA before `call` runs; the checks here
are the ones a schema cannot express.
"""

import json
import math
import statistics

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import host, types

VERSION = "0.1.0"

INPUT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Input",
    "type": "object",
    "additionalProperties": False,
    "required": ["data"],
    "properties": {
        "data": {
            "description": "The sample (x values when `y` is given).",
            "type": "array",
            "items": {"type": "number"},
            "minItems": 1,
            "maxItems": 1000000,
        },
        "y": {
            "description": "Values paired with `data`, same length: adds the correlation "
            "and the least-squares line y = slope * x + intercept.",
            "type": "array",
            "items": {"type": "number"},
        },
        "quantiles": {
            "description": "Number of equal-probability intervals to cut the sample "
            "into (4 gives the quartiles).",
            "type": "integer",
            "minimum": 2,
            "maximum": 100,
            "default": 4,
        },
    },
}

DESCRIPTION = """Descriptive statistics of a sample, and a least-squares line for paired data.

Gives n, mean, median, mode(s), sample and population standard deviation and variance, \
min, max, quantile cut points (exclusive method), geometric and harmonic means when \
defined, and, with `y`, Pearson's correlation and the line y = slope * x + intercept. \
Written in Python with its `statistics` module."""


def tool_error(code, message, pointer=None):
    details = json.dumps({"pointer": pointer}) if pointer is not None else None
    return Err(types.ToolError(code=code, message=message, details=details))


def describe_sample(data, cuts):
    """The statistics of `data`, as plain data (used by `call` and by the tests)."""
    n = len(data)
    summary = {
        "n": n,
        "mean": statistics.fmean(data),
        "median": statistics.median(data),
        "modes": statistics.multimode(data),
        "min": min(data),
        "max": max(data),
        "sum": math.fsum(data),
        "stdev": statistics.stdev(data) if n >= 2 else None,
        "variance": statistics.variance(data) if n >= 2 else None,
        "pstdev": statistics.pstdev(data),
        "pvariance": statistics.pvariance(data),
        "quantiles": statistics.quantiles(data, n=cuts) if n >= 2 else None,
        "geometric_mean": statistics.geometric_mean(data)
        if all(x > 0 for x in data)
        else None,
        "harmonic_mean": statistics.harmonic_mean(data)
        if all(x >= 0 for x in data)
        else None,
    }
    return summary


def fit_line(x, y):
    slope, intercept = statistics.linear_regression(x, y)
    return {
        "correlation": statistics.correlation(x, y),
        "slope": slope,
        "intercept": intercept,
    }


def number(value):
    return "-" if value is None else f"{value:.6g}"


class Tool(exports.Tool):
    def describe(self):
        return types.ToolInfo(
            name="py_stats",
            version=VERSION,
            description=DESCRIPTION,
            input_schema=json.dumps(INPUT_SCHEMA),
            output_schema=None,
            examples=[
                types.Example(
                    description="Summary of a sample",
                    input=json.dumps({"data": [2, 4, 4, 4, 5, 5, 7, 9]}),
                ),
                types.Example(
                    description="A line through paired data",
                    input=json.dumps({"data": [1, 2, 3, 4], "y": [2.1, 3.9, 6.2, 7.8]}),
                ),
            ],
        )

    def call(self, input):
        args = json.loads(input)
        data = args["data"]
        cuts = args.get("quantiles", 4)
        host.log(types.LogLevel.DEBUG, f"{len(data)} values, {cuts} quantile intervals")
        summary = describe_sample(data, cuts)
        lines = [
            f"n = {summary['n']}, mean = {number(summary['mean'])}, "
            f"median = {number(summary['median'])}, sd = {number(summary['stdev'])}",
            f"min = {number(summary['min'])}, max = {number(summary['max'])}, "
            f"quantiles = {[float(f'{q:.6g}') for q in summary['quantiles'] or []]}",
        ]
        if "y" in args:
            y = args["y"]
            if len(y) != len(data):
                raise tool_error(
                    "invalid_input",
                    f"`y` has {len(y)} values but `data` has {len(data)}; they are pairs",
                    "/y",
                )
            if len(data) < 2:
                raise tool_error(
                    "invalid_input", "a line needs at least two pairs", "/data"
                )
            try:
                summary["line"] = fit_line(data, y)
            except statistics.StatisticsError as e:
                # Constant x (or y): no line or correlation is defined.
                pointer = "/data" if len(set(data)) == 1 else "/y"
                raise tool_error("invalid_input", f"no line through these pairs: {e}", pointer)
            line = summary["line"]
            lines.append(
                f"y = {number(line['slope'])} * x + {number(line['intercept'])}, "
                f"r = {number(line['correlation'])}"
            )
        return [
            types.Content_Text("\n".join(lines)),
            types.Content_Json(json.dumps(summary)),
        ]
