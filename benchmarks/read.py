# ruff: noqa: E501 - the fill is SQL, kept one clause a line
"""Benchmark: the pages that must not grow with the archive (issue 11, "reads"), at 10,000 cases
and at `--size` cases, each the median of 3 requests (after one warm-up), with its query count.

The database is filled with SQL (`INSERT ... SELECT generate_series`, no Python per row): agencies,
officers, citizens (two cases each), cases spread over the years at one intake rate (the newest 5%
open, in every open status, 5% urgent, open ones assigned), two timeline events per case, the
agency's three clocks on each open referred case (some due today, some overdue, some escalated) and
a met clock on half the archived ones, the search column as `Complaint.save()` writes it, and the
statistics rollup as `statistics_rebuild` would leave it (aggregated in SQL). The pages are served
in-process by Django's test client (the whole middleware and template stack, no network):

  officer queue pages (every queue, with its counts), a deep page of "all" (by its cursor),
  officer search (`j`, `jaywalking`, `Wang Wei`, a reference), /statistics/ .csv .json,
  a citizen's "my cases", the agency API's referral list (no filter, page_size=100).

    python3 dev.py bench read --size 200000
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .registry import benchmark

YEARS_PER_MILLION = 5  # one intake rate: a million cases take five years
OPEN_SHARE = 0.05
AGENCIES = 40
NAMES = [
    "Wang Wei", "Li Na", "Zhang Wei", "Liu Yang", "Chen Jing", "Yang Fan", "Zhao Lei", "Huang Min",
    "Zhou Jie", "Wu Hao", "Xu Li", "Sun Tao", "Ma Lin", "Zhu Qiang", "Hu Yan", "Guo Ming",
    "He Ping", "Lin Xia", "Luo Jun", "Gao Hui", "王伟", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵磊",
    "黄敏", "周杰", "吴昊", "徐丽", "孙涛", "马林", "朱强", "胡燕", "郭明", "何平", "林霞", "罗军", "高辉",
    "Zheng Yu", "Xie Dan", "Han Bo", "Tang Lu", "Feng Rui", "Deng Chao", "Cao Ying", "Peng Hua", "Zeng Qi", "Xiao Ke",
]  # fmt: skip
STATEMENTS = [
    "The court list still shows a debt I paid in full two years ago; the receipt is attached.",
    "I was listed for jaywalking on a street I have never crossed, on a day I was abroad.",
    "My score dropped after a late payment that the bank admits was its own error.",
    "The record belongs to someone else with the same name; my ID number is different.",
    "I was added to the dishonest debtor list because of my father's debt.",
    "The platform will not tell me how my score is calculated or which data it uses.",
    "The listing should have expired after three years but it is still shown to employers.",
    "我已经还清了全部债务，但是法院的失信被执行人名单上仍然有我的名字。",
    "我的信用分因为一次银行系统错误导致的逾期而下降，银行已经承认错误。",
    "因为垃圾分类的记录被列入黑名单，这一类别没有法律依据。",
    "The agency that recorded the fine sold score improvement advice to me afterwards.",
    "A rail ticket was refused because of a record that was corrected last month.",
]
OPEN_MIX = [  # (status, share of the open cases)
    ("submitted", 15), ("screening", 15), ("referred", 35), ("agency_responded", 15),
    ("investigation", 10), ("determination", 5), ("compliance", 5),
]  # fmt: skip
CLOSED_MIX = [("closed", 70), ("resolved", 20), ("withdrawn", 5), ("out_of_scope", 5)]


def _grams_sql_array(values: list[str]) -> str:
    """The Chinese character pairs `search_text_of` appends, per value, as a SQL array literal."""
    from complaints.models import search_text_of

    out = []
    for v in values:
        text = search_text_of(v)
        grams = text.split(" | ", 1)[1] if " | " in text else ""
        out.append("'" + grams.replace("'", "''") + "'")
    return "ARRAY[" + ", ".join(out) + "]::text[]"


def _text_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def _mix_case(mix: list[tuple[str, int]], slot: str) -> str:
    """A CASE over `slot` (0-99) giving each status its share."""
    parts, edge = [], 0
    for status, share in mix:
        edge += share
        parts.append(f"WHEN {slot} < {edge} THEN '{status}'")
    return "CASE " + " ".join(parts) + " END"


def _fixtures() -> dict[str, Any]:
    from accounts.models import Role, User
    from agencies.models import Agency
    from clocks.rules import rule_current
    from tests.factories import AgencyFactory, OfficerFactory

    agencies = [
        AgencyFactory(slug=f"bench-{i}", name_en=f"Bench agency {i}", name_zh=f"测试机构{i}号") for i in range(AGENCIES)
    ]
    officers = [OfficerFactory(email=f"officer{i}@bench.example") for i in range(10)]
    clerk = User.objects.create_user(email="clerk@bench.example", password="x", role=Role.OFFICER)
    citizen_user = User.objects.create_user(email="citizen@bench.example", password="x", role=Role.CITIZEN)
    return {
        "agencies": [a.pk for a in agencies],
        "agency_zh": [a.name_zh for a in Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("pk")],
        "agency_en": [a.name_en for a in Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("pk")],
        "officers": [o.pk for o in officers],
        "clerk": clerk.pk,
        "citizen_user": citizen_user.pk,
        "officer_user": officers[0],
        "respond_rule": rule_current(code="cn-credit-objection"),
    }


def _truncate() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE clocks_clock, complaints_caseevent, complaints_complaint, citizens_citizen, "
            "complaints_referencesequence, public_agencymonthfigures, public_agencyanswerdays, public_casefigures, "
            "public_statisticsstate RESTART IDENTITY CASCADE"
        )


def _fill(size: int, fx: dict[str, Any], now: datetime) -> float:
    """Fill `size` cases with SQL; returns the seconds it took (analyze and vacuum included)."""
    started = time.perf_counter()
    _truncate()
    span = timedelta(days=365 * YEARS_PER_MILLION * size / 1_000_000)
    step = span / size
    open_from = int(size * (1 - OPEN_SHARE))
    ncit = max(1, size // 2)
    agencies = "ARRAY[" + ",".join(map(str, fx["agencies"])) + "]::bigint[]"
    officers = "ARRAY[" + ",".join(map(str, fx["officers"])) + "]::bigint[]"
    params = {"now": now, "step": step, "size": size, "open_from": open_from, "ncit": ncit, "clerk": fx["clerk"]}
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            f"""
            INSERT INTO citizens_citizen (user_id, full_name, national_id_ciphertext, national_id_hash,
                national_id_masked, date_of_birth, email, phone, address, preferred_language, parent_id,
                representative_id, representative_kind, created_at, updated_at)
            SELECT NULL, ({_text_array(NAMES)})[1 + c %% {len(NAMES)}], 'bench', md5('citizen' || c),
                   '11**************' || lpad((c %% 100)::text, 2, '0'), NULL, '', '', '', 'en', NULL,
                   NULL, '', %(now)s, %(now)s
              FROM generate_series(0, %(ncit)s - 1) AS c
            """,
            params,
        )
        cur.execute("SELECT min(id) FROM citizens_citizen")
        first_citizen = cur.fetchone()[0]
        cur.execute("UPDATE citizens_citizen SET user_id = %s WHERE id = %s", [fx["citizen_user"], first_citizen])
        params["first_citizen"] = first_citizen
        status = (
            f"CASE WHEN g >= %(open_from)s THEN {_mix_case(OPEN_MIX, '((g * 37) %% 100)')} "
            f"ELSE {_mix_case(CLOSED_MIX, '((g * 37) %% 100)')} END"
        )
        cur.execute(
            f"""
            INSERT INTO complaints_complaint (reference, citizen_id, filed_by_id, respondent_id,
                blacklist_entry_id, score_record_id, other_record_description, category, statement,
                remedies_sought, remedy_detail, urgent, urgency_reason, urgency_detail, status,
                assigned_officer_id, channel, language, flag_unlawful_category, flag_derived_from_relative,
                duplicate_of_id, agency_in_default, submitted_at, referred_at, acknowledged_at,
                marked_disputed_at, status_changed_at, closed_at, created_at, updated_at, search_text)
            SELECT ref, cit, %(clerk)s, ({agencies})[1 + a], NULL, NULL, other, 'inaccurate_data', stmt,
                   '["correct"]', '', urgent, CASE WHEN urgent THEN 'travel' ELSE '' END, '', st,
                   CASE WHEN g >= %(open_from)s AND st <> 'submitted' THEN ({officers})[1 + g %% 10] END,
                   'web', 'en', false, false, NULL, false, at,
                   CASE WHEN st NOT IN ('submitted', 'screening', 'out_of_scope') THEN at + interval '2 days' END,
                   NULL, NULL, at + interval '2 days',
                   CASE WHEN g < %(open_from)s THEN at + interval '40 days' END, at, at,
                   lower(ref || ' ' || name || ' ' || stmt || ' ' || other || ' ' || ({_text_array(fx["agency_en"])})[1 + a]
                         || ' ' || ({_text_array(fx["agency_zh"])})[1 + a])
                   || ' | ' || concat_ws(' ', NULLIF(({_grams_sql_array(NAMES)})[1 + (cit - %(first_citizen)s) %% {len(NAMES)}], ''),
                                          NULLIF(({_grams_sql_array(STATEMENTS)})[1 + g %% {len(STATEMENTS)}], ''),
                                          ({_grams_sql_array(fx["agency_zh"])})[1 + a])
              FROM generate_series(0, %(size)s - 1) AS g
              CROSS JOIN LATERAL (SELECT %(now)s::timestamptz - (%(size)s - g) * %(step)s::interval AS at,
                                         g %% {AGENCIES} AS a,
                                         %(first_citizen)s + (g %% %(ncit)s) AS cit,
                                         'record ' || g AS other,
                                         ({_text_array(STATEMENTS)})[1 + g %% {len(STATEMENTS)}] AS stmt,
                                         ((g * 13) %% 100) < 5 AS urgent) AS x
              CROSS JOIN LATERAL (SELECT 'OMB-' || extract(year FROM at)::int || '-' || lpad((g + 1)::text, 7, '0') AS ref,
                                         ({_text_array(NAMES)})[1 + (cit - %(first_citizen)s) %% {len(NAMES)}] AS name,
                                         {status} AS st) AS y
            """,
            params,
        )
        cur.execute(
            """INSERT INTO complaints_referencesequence (year, last_value)
               SELECT extract(year FROM submitted_at)::int, count(*) FROM complaints_complaint GROUP BY 1"""
        )
        # Two events per case: filed, and referred (or ruled out) two days later.
        cur.execute(
            """
            INSERT INTO complaints_caseevent (complaint_id, created_at, actor_kind, actor_user_id, actor_agency_id,
                actor_label, kind, from_status, to_status, message, data, visibility)
            SELECT id, submitted_at, 'citizen', NULL::bigint, NULL::bigint, 'Citizen', 'submitted', '', 'submitted',
                   'Complaint filed', '{}'::jsonb, 'parties' FROM complaints_complaint
            UNION ALL
            SELECT id, submitted_at + interval '2 days', 'officer', NULL::bigint, NULL::bigint, 'Officer', 'refer', 'screening',
                   'referred', 'Referred', '{}'::jsonb, 'parties' FROM complaints_complaint WHERE referred_at IS NOT NULL
            """
        )
        rule = fx["respond_rule"]
        # The agency's three clocks on every open referred case: due today, overdue (some escalated), later.
        cur.execute(
            """
            INSERT INTO clocks_clock (complaint_id, obligation, owed_by, agency_id, subject_key, rule_id, rule_version,
                jurisdiction, started_at, received_on, due_on, due_at, explanation, status, reminder_level,
                escalation_level, next_action_at, paused_at, paused_seconds, extended_at, extension_reason, met_at,
                cancelled_at, cancel_reason, created_at)
            SELECT c.id, o.obligation, 'agency', c.respondent_id, '', %(rule)s, %(version)s, 'CN', c.referred_at,
                   c.referred_at::date, d.due_at::date, d.due_at, 'benchmark clock', d.status, 0, d.level,
                   d.due_at, NULL::timestamptz, 0, NULL::timestamptz, '', NULL::timestamptz, NULL::timestamptz, '',
                   c.referred_at
              FROM complaints_complaint c
              CROSS JOIN (VALUES ('acknowledge'), ('mark_disputed'), ('respond')) AS o(obligation)
              CROSS JOIN LATERAL (
                  SELECT CASE c.id %% 4 WHEN 0 THEN %(now)s::timestamptz + interval '2 hours'
                                        WHEN 1 THEN %(now)s::timestamptz - interval '3 days'
                                        ELSE %(now)s::timestamptz + interval '9 days' END AS due_at,
                         CASE WHEN c.id %% 4 = 1 THEN 'missed' ELSE 'open' END AS status,
                         CASE WHEN c.id %% 4 = 1 AND c.id %% 8 = 1 THEN 1 ELSE 0 END AS level) AS d
             WHERE c.status = 'referred'
            UNION ALL
            SELECT c.id, 'respond', 'agency', c.respondent_id, '', %(rule)s, %(version)s, 'CN', c.referred_at,
                   c.referred_at::date, (c.referred_at + interval '20 days')::date, c.referred_at + interval '20 days',
                   'benchmark clock', 'met', 0, 0, NULL::timestamptz, NULL::timestamptz, 0, NULL::timestamptz, '',
                   c.referred_at + interval '10 days', NULL::timestamptz, '', c.referred_at
              FROM complaints_complaint c
             WHERE c.closed_at IS NOT NULL AND c.referred_at IS NOT NULL AND c.id %% 2 = 0
            """,
            {"rule": rule.pk, "version": rule.version, "now": now},
        )
        # The statistics rollup, as statistics_rebuild would leave it (aggregated here in SQL).
        cur.execute(
            """
            INSERT INTO public_agencymonthfigures (agency_id, month, received, answered, decided, upheld, corrections,
                on_time_met, on_time_decided)
            SELECT respondent_id, date_trunc('month', submitted_at)::date, count(*),
                   count(*) FILTER (WHERE closed_at IS NOT NULL AND referred_at IS NOT NULL),
                   count(*) FILTER (WHERE closed_at IS NOT NULL AND referred_at IS NOT NULL),
                   count(*) FILTER (WHERE closed_at IS NOT NULL AND referred_at IS NOT NULL AND id % 3 = 0),
                   count(*) FILTER (WHERE closed_at IS NOT NULL AND referred_at IS NOT NULL AND id % 3 = 0),
                   count(*) FILTER (WHERE closed_at IS NOT NULL AND referred_at IS NOT NULL AND id % 2 = 0),
                   count(*) FILTER (WHERE closed_at IS NOT NULL AND referred_at IS NOT NULL AND id % 2 = 0)
              FROM complaints_complaint GROUP BY 1, 2
            """
        )
        cur.execute(
            """INSERT INTO public_agencyanswerdays (agency_id, tenths, n)
               SELECT respondent_id, 100 + (id % 50) * 3, count(*) FROM complaints_complaint
                WHERE closed_at IS NOT NULL AND referred_at IS NOT NULL GROUP BY 1, 2"""
        )
        cur.execute(
            """INSERT INTO public_statisticsstate (id, last_event_id, seen_event_id, version, changed_at, refreshed_at)
               SELECT 1, max(id), max(id), 1, %(now)s, %(now)s FROM complaints_caseevent""",
            {"now": now},
        )
        cur.execute("ANALYZE")
    with (
        connection.cursor() as cur
    ):  # VACUUM cannot run in a transaction block; the visibility map for index-only scans
        cur.execute("VACUUM (ANALYZE) complaints_complaint, clocks_clock, complaints_caseevent")
    return time.perf_counter() - started


def _pages(fx: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    """(name, request) for every measured page; the clients are signed in once."""
    from agencies.models import Agency
    from agency_api.services import api_client_create
    from complaints.models import Complaint
    from officer.selectors import _cursor
    from officer.views import QUEUES

    officer = Client()
    officer.force_login(fx["officer_user"])
    citizen = Client()
    citizen.force_login(type(fx["officer_user"]).objects.get(pk=fx["citizen_user"]))
    public = Client()
    agency = Agency.objects.get(pk=fx["agencies"][0])
    api_client, secret = api_client_create(agency=agency, name=f"bench-{time.time_ns()}", now=timezone.now())
    token = Client().post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": api_client.application.client_id,
            "client_secret": secret,
        },
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token.json()['access_token']}"}
    api = Client()
    ordered = Complaint.objects.order_by("-urgent", "submitted_at", "pk")
    middle = ordered[Complaint.objects.count() // 2]
    reference = Complaint.objects.order_by("-pk").values_list("reference", flat=True).first()

    pages: list[tuple[str, Callable[[], Any]]] = [
        (f"queue {q}", lambda q=q: officer.get("/officer/", {"queue": q})) for q in QUEUES
    ]
    pages += [
        ("queue all, deep page (cursor)", lambda: officer.get("/officer/", {"queue": "all", "after": _cursor(middle)})),
        ("search 'j'", lambda: officer.get("/officer/", {"queue": "all", "q": "j"})),
        ("search 'jaywalking'", lambda: officer.get("/officer/", {"queue": "all", "q": "jaywalking"})),
        ("search 'Wang Wei'", lambda: officer.get("/officer/", {"queue": "all", "q": "Wang Wei"})),
        ("search '还清'", lambda: officer.get("/officer/", {"queue": "all", "q": "还清"})),
        ("search a reference", lambda: officer.get("/officer/", {"queue": "all", "q": reference})),
        ("/statistics/", lambda: public.get("/statistics/")),
        ("/statistics.csv", lambda: public.get("/statistics.csv")),
        ("/statistics.json", lambda: public.get("/statistics.json")),
        ("my cases", lambda: citizen.get("/cases/")),
        ("agency referral list", lambda: api.get("/api/v1/agency/referrals/", **bearer)),
        ("agency referral list, page_size=100", lambda: api.get("/api/v1/agency/referrals/?page_size=100", **bearer)),
    ]
    return pages


def _measure(pages: list[tuple[str, Callable[[], Any]]]) -> dict[str, tuple[float, int, int]]:
    out = {}
    for name, get in pages:
        get()  # warm-up
        times = []
        queries = 0
        status = 0
        for _ in range(3):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = get()
                times.append(time.perf_counter() - started)
            queries, status = len(captured), response.status_code
        if status not in (200, 302):
            raise RuntimeError(f"{name}: HTTP {status}")
        out[name] = (statistics.median(times) * 1000, queries, status)
    return out


def _explain(sqls: list[tuple[str, str, list[Any]]]) -> None:
    with connection.cursor() as cur:
        for name, sql, params in sqls:
            cur.execute("EXPLAIN " + sql, params)
            plan = [row[0] for row in cur.fetchall()]
            scans = [p.strip() for p in plan if "Scan" in p]
            print(f"  {name}: {' / '.join(scans[:3])}")


def _plans(fx: dict[str, Any]) -> None:
    """The plans of the queries that must use an index (EXPLAIN, not ANALYZE)."""
    from accounts.models import User
    from complaints.models import Complaint
    from complaints.selectors import complaints_visible_to_user
    from officer.selectors import queue_complaints, search_complaints

    now = timezone.now()
    citizen = User.objects.get(pk=fx["citizen_user"])
    cases = [
        ("my cases", complaints_visible_to_user(citizen).order_by("-submitted_at")),
        ("queue screening page", queue_complaints("screening", now=now).filter(urgent=False).order_by("submitted_at", "pk")[:51]),
        ("queue open page", queue_complaints("open", now=now).filter(urgent=False).order_by("submitted_at", "pk")[:51]),
        ("queue all page", queue_complaints("all", now=now).filter(urgent=False).order_by("submitted_at", "pk")[:51]),
        ("search 'jaywalking'", search_complaints(Complaint.objects.filter(urgent=False), "jaywalking").order_by("submitted_at", "pk")[:51]),
        ("search 'Wang Wei'", search_complaints(Complaint.objects.filter(urgent=False), "Wang Wei").order_by("submitted_at", "pk")[:51]),
        ("search rare 'score improvement advice'", search_complaints(Complaint.objects.filter(urgent=False), "score improvement advice").order_by("submitted_at", "pk")[:51]),
        ("search 'j'", search_complaints(Complaint.objects.filter(urgent=False), "j").order_by("submitted_at", "pk")[:51]),
    ]  # fmt: skip
    sqls = []
    for name, qs in cases:
        sql, params = qs.query.sql_with_params()
        sqls.append((name, sql, list(params)))
    _explain(sqls)


@benchmark("read", "the pages that must not grow with the archive, at 10,000 cases and at --size")
def run(args: argparse.Namespace) -> None:
    now = timezone.now()
    fx = _fixtures()
    results: dict[int, dict[str, tuple[float, int, int]]] = {}
    for size in (10_000, args.size)[(1 if args.keep_db else 0) :]:
        seconds = _fill(size, fx, now)
        print(f"filled {size:,} cases in {seconds:.0f} s", flush=True)
        if size == args.size:
            print("plans at this size:")
            _plans(fx)
        results[size] = _measure(_pages(fx))
    small, big = results[10_000], results[args.size]
    print(f"\n| page | 10,000 | {args.size:,} | ratio | queries (10k / {args.size:,}) |")
    print("|---|---|---|---|---|")
    for name in small:
        a, b = small[name], big[name]
        print(f"| {name} | {a[0]:.0f} ms | {b[0]:.0f} ms | {b[0] / a[0]:.2f}x | {a[1]} / {b[1]} |")
    worst = max(big.values(), key=lambda r: r[0])[0]
    print(f"\nslowest page at {args.size:,}: {worst:.0f} ms (target <= 150 ms at 1,000,000, within 2x of 10k)")
