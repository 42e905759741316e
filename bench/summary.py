"""bench/results/summary.json: the headline figures of every benchmark, their targets, and the machine.

python -m bench.summary      (after the benchmarks have written their results)
"""

from __future__ import annotations

import json
from typing import Any

from bench.common import RESULTS_DIR, machine, table, verdict, write_result

# Summary key: (result file, key in it, target as (comparison, bound) or None).
HEADLINES: dict[str, tuple[str, str, tuple[str, float] | None]] = {
    "orchestration_overhead_ratio": ("orchestration", "orchestration_overhead_ratio", ("<=", 1.10)),
    "parallel_speedup": ("orchestration", "parallel_speedup", (">=", 1.6)),
    "lost_emails_100": ("concurrency", "lost_emails_100", ("<=", 0)),
    "duplicate_emails_100": ("concurrency", "duplicate_emails_100", ("<=", 0)),
    "ssr_vs_static_ratio": ("frontend", "ssr_vs_static_ratio", (">=", 1.0)),
    "ssr_p99_vs_static_p99_50c": ("frontend", "ssr_p99_vs_static_p99_50c", ("<=", 1.5)),
    "ssr_p99_ms_50c": ("frontend", "ssr_p99_ms_50c", None),
    "shelf_vs_static_ratio": ("frontend", "shelf_vs_static_ratio", None),
    "shelf_growth_kb_per_view": ("frontend", "shelf_growth_kb_per_view", ("<=", 0.5)),
    "handler_import_vs_floor_max": ("cold_start", "handler_import_vs_floor_max", ("<=", 1.5)),
    "handler_import_ms_max": ("cold_start", "handler_import_ms_max", None),
    "web_first_story_page_seconds": ("web_cold_start", "first_story_page_seconds", ("<=", 1.0)),
    "web_import_vs_floor": ("web_cold_start", "web_import_vs_floor", None),
    "offline_story_seconds": ("offline_providers", "offline_story_seconds", None),
    "cost_per_story_usd": ("cost", "cost_per_story_usd", None),
    "cost_per_story_thrifty_usd": ("cost", "cost_per_story_thrifty_usd", ("<=", 0.03)),
    "story_pass_rate": ("story_variety", "passing", (">=", 1.0)),
    "story_common_line_share": ("story_variety", "common_lines", ("<=", 0.20)),
    "story_distinct_titles": ("story_variety", "distinct_titles", (">=", 0.90)),
    "story_scene_in_every_stanza": ("story_variety", "scene_stanzas", (">=", 1.0)),
    "story_even_couplets": ("story_variety", "even_couplets", (">=", 1.0)),
    "story_week_titles": ("story_variety", "week_titles", (">=", 7)),
    "story_week_max_line_overlap": ("story_variety", "week_max_overlap", ("<=", 0.15)),
    "family_place_in_full": ("family_stories", "place_in_full_with_own_thing", (">=", 1.0)),
    "family_every_listener": ("family_stories", "every_listener_named", (">=", 1.0)),
    "family_solver_trait": ("family_stories", "solver_trait_in_solving_stanza", (">=", 0.8)),
    "family_cut_phrases": ("family_stories", "cut_phrases", ("<=", 0)),
    "family_median_line_in_range": ("family_stories", "median_line_in_age_range", (">=", 1.0)),
    "family_within_filler_budget": ("family_stories", "within_filler_budget", (">=", 1.0)),
    "family_pronoun_errors": ("family_stories", "pronoun_errors", ("<=", 0)),
    "family_things_addressed": ("family_stories", "things_addressed", ("<=", 0)),
    "nights_page_p50_ms_200_runs": ("console", "nights_page_p50_ms", ("<=", 1000.0)),
    "nights_vs_story_page_p50": ("console", "nights_vs_story_p50", None),
    "durable_write_added_ms": ("durability", "added_put_item_ms", None),
    "startup_60_stories_vs_empty": ("durability", "startup_60_stories_vs_empty", None),
    "disk_mib_per_story": ("durability", "disk_mib_per_story", None),
    "kills": ("kill_anywhere", "kills", (">=", 50)),
    "kill_lost_acknowledged": ("kill_anywhere", "lost_acknowledged", ("<=", 0)),
    "kill_duplicate_emails": ("kill_anywhere", "duplicate_emails", ("<=", 0)),
    "kill_pages_broken": ("kill_anywhere", "pages_broken", ("<=", 0)),
    "soak_under_load_passed_of_5": ("soak_under_load", "passed", (">=", 5)),
    "households_1000_lost_emails": ("households", "lost_emails", ("<=", 0)),
    "households_1000_duplicate_emails": ("households", "duplicate_emails", ("<=", 0)),
    "households_1000_stray_emails": ("households", "stray_recipients", ("<=", 0)),
    "households_1000_deliveries_unrecorded": ("households", "deliveries_unrecorded", ("<=", 0)),
    "households_1000_deliveries_misrecorded": ("households", "delivery_rows_misrecorded", ("<=", 0)),
    "households_1000_wall_seconds": ("households", "wall_seconds", None),
    "households_1000_executions_per_second": ("households", "executions_per_second", None),
}


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _extras(results: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Figures that explain the headlines."""
    extras: dict[str, Any] = {}
    if orchestration := results.get("orchestration"):
        extras["orchestration_overhead_seconds"] = orchestration["overhead_seconds"]
        extras["orchestration_overhead_segments_seconds"] = orchestration["overhead_segments_seconds"]
    if concurrency := results.get("concurrency"):
        for level in concurrency["levels"]:
            extras[f"wall_seconds_{level['stories']}"] = level["wall_seconds"]
            extras[f"executions_per_second_{level['stories']}"] = level["executions_per_second"]
    if frontend := results.get("frontend"):
        for level in frontend["levels"]:
            clients = level["clients"]
            extras[f"ssr_requests_per_second_{clients}c"] = level["story_page"]["requests_per_second"]
            extras[f"static_requests_per_second_{clients}c"] = level["static_file"]["requests_per_second"]
    if cold := results.get("cold_start"):
        extras["handler_import_ms_max_by_way"] = cold["handler_import_ms_max_by_way"]
        extras["handler_import_vs_floor_max_by_way"] = cold["handler_import_vs_floor_max_by_way"]
        extras["floor_import_ms"] = cold["floor_import_ms"]
        extras["slowest_handler"] = cold["slowest_handler"]
        extras["lambda_asset_unzipped_mb"] = cold["asset"]["unzipped_mb"]
    if offline := results.get("offline_providers"):
        extras["offline_picture_seconds"] = offline["offline_picture_seconds"]
        extras["offline_narration_seconds"] = offline["offline_narration_seconds"]
        extras["offline_peak_rss_mb"] = {job: figures["peak_rss_mb"] for job, figures in offline["jobs"].items()}
    if cost := results.get("cost"):
        extras["cost_per_story_with_aws_services_usd"] = cost["cost_per_story_with_services_usd"]
        extras["cost_per_story_thrifty_with_aws_services_usd"] = cost["cost_per_story_thrifty_with_services_usd"]
        extras["thrifty_vs_standard_cost"] = cost["thrifty_vs_standard"]
    return extras


def summarize() -> dict[str, Any]:
    """The summary from whatever results exist; a missing benchmark leaves its keys null."""
    results = {name: _load(name) for name, _, _ in HEADLINES.values()}
    summary: dict[str, Any] = {}
    targets: dict[str, Any] = {}
    for key, (name, field, target) in HEADLINES.items():
        found = results.get(name)
        value = found.get(field) if found else None
        summary[key] = value
        if target is not None:
            comparison, bound = target
            met = value is not None and (value <= bound if comparison == "<=" else value >= bound)
            targets[key] = {"target": f"{comparison} {bound:g}", "met": met}
    return {
        **summary,
        "targets": targets,
        "details": _extras(results),
        "missing": [n for n, r in results.items() if r is None],
    }


def report(summary: dict[str, Any]) -> str:
    """The headline figures and their targets."""
    rows = []
    for key in HEADLINES:
        target = summary["targets"].get(key)
        rows.append(
            [
                key,
                summary[key] if summary[key] is not None else "-",
                target["target"] if target else "",
                verdict(target["met"]) if target else "",
            ]
        )
    info = machine()
    lines = [
        f"Summary ({info['nproc']} cores, {info['cpu']}, {info['memory_gib']} GiB, Python {info['python']})",
        "",
        table(["figure", "value", "target", ""], rows),
    ]
    if summary["missing"]:
        lines.append("missing results: " + ", ".join(summary["missing"]))
    return "\n".join(lines)


def main() -> None:
    summary = summarize()
    print(report(summary))
    write_result("summary", summary)


if __name__ == "__main__":
    main()
