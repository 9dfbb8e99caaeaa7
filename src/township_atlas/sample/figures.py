"""The sample's yearly figures: indicator series per village with their targets, and the
villages' plans (plans.yaml).
"""

from __future__ import annotations

from typing import Any

from township_atlas.sample import content

YEARS = list(range(2021, 2026))  # recorded years
PLAN_YEARS = [2026, 2027]  # target-only years of the plan


def make_indicators(rng, villages, profiles, orgs, sites) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    members_now = {
        o["village_code"]: o["members"]
        for o in orgs
        if o["level"] == "branch" and o["branch_kind"] == "rural"
    }
    all_years = YEARS + PLAN_YEARS
    has_target = {row[0]: row[7] for row in content.CATALOGUE}
    for village, prof in zip(villages, profiles, strict=True):
        s = prof["strength"]
        code = village["code"]
        n_coops = sum(1 for x in sites if x["village_code"] == code and x["kind"] == "cooperative")
        cadres = int(rng.integers(5, 9))
        new_members = [int(rng.integers(0, 3)) for _ in YEARS]
        members = members_now[code]
        series: dict[str, list[float | None]] = {}
        growth = 1 + 0.06 + 0.1 * s
        income0 = 1.0 + 18 * s**2 * rng.uniform(0.8, 1.2)
        series["collective_income"] = [round(income0 * growth**i, 1) for i in range(5)]
        series["per_capita_income"] = [
            round((9500 + 5000 * s) * (1.07 + 0.02 * s) ** i, -1) for i in range(5)
        ]
        land0 = village["population"] * rng.uniform(0.1, 0.25) * (0.5 + s)
        series["land_transferred"] = [round(land0 * (1.1 + 0.1 * s) ** i) for i in range(5)]
        series["cooperatives"] = [max(1, n_coops - 2 + min(i, 2)) for i in range(5)]
        series["market_turnover"] = [
            round((120 + 900 * s) * 1.1**i) if s > 0.55 else 0 for i in range(5)
        ]
        series["industry_output"] = [
            round((300 + 1800 * s) * (1.08 + 0.07 * s) ** i) for i in range(5)
        ]
        series["office_funds"] = [round(2.0 + 1.5 * s + 0.2 * i, 1) for i in range(5)]
        need = [
            round((12 + 10 * (1 - s)) * (1 - 0.1 * s) ** i + rng.uniform(-1, 1), 1)
            for i in range(len(YEARS))
        ]
        shortfall = [
            max(0.0, round(n - series["office_funds"][i] - 0.3 * series["collective_income"][i], 1))
            for i, n in enumerate(need)
        ]
        series["funding_shortfall"] = shortfall
        series["paid_by_higher_level"] = [round(x * 0.45, 1) for x in shortfall]
        series["paid_by_donors"] = [round(x * (0.15 + 0.1 * s), 1) for x in shortfall]
        series["paid_by_cadres"] = [round(x * 0.15 * (1 - s), 1) for x in shortfall]
        series["unfunded_projects"] = [max(0, round(4 * (1 - s) - i * 0.5)) for i in range(5)]
        series["fixed_subsidy"] = [round(cadres * 1.8, 1)] * 5
        series["performance_bonus"] = [
            round(cadres * (0.3 + 0.5 * s) * (1 + 0.1 * i), 1) for i in range(5)
        ]
        series["year_end_reward"] = [round(1 + 3 * s * rng.uniform(0.8, 1.2), 1) for _ in YEARS]
        series["performance_pay"] = [1 if (s > 0.5 or i >= 3) else 0 for i in range(5)]
        series["assessment_score"] = [
            round(min(98, 70 + 20 * s + 1.5 * i + rng.uniform(-2, 2)), 1) for i in range(5)
        ]
        series["cadres"] = [cadres] * 5
        series["cadres_trained"] = [cadres - (1 if (s < 0.4 and i < 2) else 0) for i in range(5)]
        series["cadres_trained_away"] = [int(i >= 1) + int(s > 0.6 and i >= 3) for i in range(5)]
        series["responsibility_signed"] = [1] * 5
        # Members counted backwards from today's branch, so the latest year agrees.
        counts = [members]
        for n in reversed(new_members[1:]):
            counts.insert(0, counts[0] - n)
        series["party_members"] = counts
        series["new_members"] = new_members
        targets = _targets(series, s, cadres)
        for key, values in series.items():
            for i, year in enumerate(all_years):
                value = values[i] if i < len(values) else None
                target = targets.get(key, [None] * 7)[i] if has_target.get(key) else None
                if value is None and target is None:
                    continue
                rows.append(
                    {
                        "place_code": code,
                        "year": year,
                        "indicator": key,
                        "value": value,
                        "target": target,
                    }
                )
    return rows


def _targets(series, s, cadres) -> dict[str, list[float | None]]:
    """Targets the report implies: grow the economy, train every cadre yearly, close gaps."""

    def grow(key: str, rate: float, digits: int = 1) -> list[float | None]:
        first = series[key][0]
        return [None] + [round(first * rate**i, digits) for i in range(1, 7)]

    return {
        # Targets grow a little faster for weak villages' plans than they manage, and a
        # little slower for strong ones: the map then shows green, amber and red.
        "collective_income": grow("collective_income", 1.06 + 0.1 * s + (0.55 - s) * 0.12),
        "per_capita_income": grow("per_capita_income", 1.07 + 0.02 * s + (0.55 - s) * 0.04, -1),
        "land_transferred": grow("land_transferred", 1.1 + 0.1 * s + (0.55 - s) * 0.1, 0),
        "cooperatives": [None] + [series["cooperatives"][0] + min(i, 3) for i in range(1, 7)],
        "industry_output": grow("industry_output", 1.14, 0),
        "funding_shortfall": [None]
        + [round(series["funding_shortfall"][0] * (1 - 0.06 * i), 1) for i in range(1, 7)],
        "paid_by_cadres": [None] + [0.0] * 6,
        "unfunded_projects": [None]
        + [max(0, series["unfunded_projects"][0] - i) for i in range(1, 7)],
        "performance_pay": [None, None, 1, 1, 1, 1, 1],
        "assessment_score": [None] + [85.0] * 6,
        "cadres_trained": [None] + [float(cadres)] * 6,
        "cadres_trained_away": [None] + [1.0] * 6,
        "responsibility_signed": [1] * 7,
        "new_members": [None] + [1.0 if s < 0.5 else 2.0] * 6,
    }


def make_plans(villages, profiles) -> dict[str, Any]:
    plans: dict[str, Any] = {}
    for village, prof in zip(villages, profiles, strict=True):
        ind = prof["industry_zh"]
        s = prof["strength"]
        weak = s < 0.5
        plans[village["code"]] = {
            "leading_industry_zh": ind,
            "leading_industry_en": prof["industry_en"],
            "summary_zh": f"以{ind}为主导产业,党支部引领、合作社带动、基地示范,"
            f"{'先补齐集体经济短板' if weak else '做大做强品牌'}。",
            "goals": [
                {
                    "year": 2023,
                    "indicator": "land_transferred",
                    "text_zh": f"{ind}基地土地流转稳步扩大",
                    "text_en": "Expand land transfer",
                },
                {
                    "year": 2024,
                    "indicator": "cooperatives",
                    "text_zh": "合作社规范运营,带动农户入社",
                    "text_en": "Cooperatives run well",
                },
                {
                    "year": 2025,
                    "indicator": "collective_income",
                    "text_zh": "村集体经济收入达到目标",
                    "text_en": "Collective income on target",
                },
                {
                    "year": 2026,
                    "indicator": "industry_output",
                    "text_zh": f"{ind}产值持续增长",
                    "text_en": "Grow the industry's output",
                },
                {
                    "year": 2027,
                    "indicator": "per_capita_income",
                    "text_zh": "农民人均收入达到规划目标",
                    "text_en": "Per-capita income target",
                },
            ],
            "measures_zh": [
                f"党支部领办{ind}专业合作社,推行“支部+合作社+农户”模式",
                "通过土地流转推进集约化、规模化经营",
                "党员示范户结对带动脱贫户、监测户",
                "争取帮扶单位和在外乡贤支持,化解村级公益事业资金缺口"
                if weak
                else "培育农畜产品流通市场,打造区域品牌",
            ],
            "milestones": [
                {
                    "name_zh": f"{ind}标准化基地建成",
                    "due": "2023-10-31",
                    "status": "done",
                    "done": "2023-10-20",
                },
                {
                    "name_zh": "党支部领办合作社",
                    "due": "2024-06-30",
                    "status": "done",
                    "done": "2024-05-15",
                },
                {
                    "name_zh": "村集体经济收入突破目标",
                    "due": "2025-12-31",
                    "status": "delayed" if weak else "done",
                    "done": None if weak else "2025-11-30",
                },
                {
                    "name_zh": "冷链仓储或加工车间投产",
                    "due": "2026-12-31",
                    "status": "in_progress",
                    "done": None,
                },
                {
                    "name_zh": "区域公共品牌认证",
                    "due": "2027-10-31",
                    "status": "not_started",
                    "done": None,
                },
            ],
            "problems": (
                ["no_money", "cohesion"]
                if s < 0.35
                else ["no_money"]
                if weak
                else ["cadre_quality"]
            ),
        }
    return plans
