//! Charts of the responses shown (filters apply): responses per day, responses with alerts per
//! day, how many chose each option of every choice and yes/no question, and how the answers to
//! every number question spread. Each is an inline SVG drawn here — colours and fonts are SVG
//! attributes, since the Content-Security-Policy allows no inline styles and a downloaded picture
//! has no stylesheet — with buttons to download it as an SVG or a PNG picture.
//!
//! The counting (days in China Standard Time, histogram bins, shortened labels) is done by plain
//! functions, tested at the bottom of this file.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use gather_doc::form::display::{format_time, CST_OFFSET_MINUTES};
use gather_doc::form::{Question, QuestionType};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, Element, HtmlCanvasElement, HtmlImageElement,
    Url, XmlSerializer,
};

use super::data::{answer_has, choices, number, Row};
use super::text::{code, text, Text};
use crate::i18n::Lang;

/// The day charts show at most this many days, the latest ones.
const MAX_DAYS: i64 = 60;
/// At most this many dates are written under a day chart.
const MAX_DAY_LABELS: usize = 6;
/// How many bars a number question's histogram has (unless all answers are equal).
const HISTOGRAM_BINS: usize = 10;
const MS_PER_DAY: i64 = 86_400_000;

/// The width of every chart's picture, in SVG units: a phone screen.
const WIDTH: f64 = 480.0;
/// The height of the day charts and histograms.
const COLUMN_CHART_HEIGHT: f64 = 200.0;
/// The height of one option's row in an option chart.
const OPTION_ROW: f64 = 30.0;
/// Room for the title added above a downloaded picture.
const TITLE_ROOM: f64 = 34.0;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// With a Chinese font, so Chinese labels also show in the PNG.
const FONTS: &str = r#""Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif"#;
const INK: &str = "#1f2328";
const MUTED: &str = "#59636e";
const GRID: &str = "#d1d9e0";
const TRACK: &str = "#f3f4f6";
const PAPER: &str = "#ffffff";
const GREEN: &str = "#1a7f37";
const RED: &str = "#cf222e";

/// A fixed string of the charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChartText {
    Charts,
    ChartsNote,
    ResponsesPerDay,
    AlertsPerDay,
    DownloadSvg,
    DownloadPng,
    DownloadFailed,
}

fn chart_text(lang: Lang, key: ChartText) -> &'static str {
    use ChartText::*;
    let (zh, en) = match key {
        Charts => ("图表", "Charts"),
        ChartsNote => (
            "图表只统计当前显示的回复（筛选条件同样适用），日期按北京时间。",
            "The charts count the responses shown (filters apply); days are in China Standard Time.",
        ),
        ResponsesPerDay => ("每日回复数", "Responses per day"),
        AlertsPerDay => ("每日需关注的回复数", "Responses needing attention per day"),
        DownloadSvg => ("下载 SVG 图片（可无损缩放）", "Download as an SVG picture (scales without blur)"),
        DownloadPng => ("下载 PNG 图片", "Download as a PNG picture"),
        DownloadFailed => ("图片未能生成，请重试。", "The picture could not be made; please try again."),
    };
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

// ---------------------------------------------------------------------------------------------
// What the charts show: plain functions.

/// A day in China Standard Time, counted from 1970-01-01.
fn day_of(ms: i64) -> i64 {
    (ms + CST_OFFSET_MINUTES * 60_000).div_euclid(MS_PER_DAY)
}

/// The date (`YYYY-MM-DD`) of `day`.
fn date_of(day: i64) -> String {
    let noon = day * MS_PER_DAY - CST_OFFSET_MINUTES * 60_000 + MS_PER_DAY / 2;
    format_time(noon, CST_OFFSET_MINUTES)[..10].to_owned()
}

/// The days a day chart covers: from the day of the first response to that of the last, at
/// most the last [`MAX_DAYS`]. `None` without responses.
pub fn day_span(times: &[i64]) -> Option<RangeInclusive<i64>> {
    let first = times.iter().map(|&t| day_of(t)).min()?;
    let last = times.iter().map(|&t| day_of(t)).max()?;
    Some(first.max(last - MAX_DAYS + 1)..=last)
}

/// One day of a day chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayCount {
    /// `YYYY-MM-DD`, China Standard Time.
    pub date: String,
    pub count: usize,
}

/// How many of `times` fall on each day of `days`; days without any count 0.
pub fn per_day(times: &[i64], days: RangeInclusive<i64>) -> Vec<DayCount> {
    let first = *days.start();
    let mut counts = vec![0; days.clone().count()];
    for day in times.iter().map(|&t| day_of(t)) {
        if days.contains(&day) {
            counts[(day - first) as usize] += 1;
        }
    }
    days.zip(counts)
        .map(|(day, count)| DayCount {
            date: date_of(day),
            count,
        })
        .collect()
}

/// Write every `k`-th of `labels` labels, so that at most `most` appear.
pub fn label_every(labels: usize, most: usize) -> usize {
    labels.div_ceil(most.max(1)).max(1)
}

/// One bar of a histogram: the answers from `from` up to `to` (the last bar includes `to`).
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    pub from: f64,
    pub to: f64,
    pub count: usize,
}

/// Bars of one round width (1, 2, 2.5 or 5 times a power of ten; whole numbers when every
/// answer is one), about [`HISTOGRAM_BINS`] of them, from a round number at or below the
/// smallest of `values` to past the largest; a single bar when all are equal; none without
/// values.
pub fn histogram(values: &[f64]) -> Vec<Bin> {
    let values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (Some(min), Some(max)) = (
        values.iter().copied().reduce(f64::min),
        values.iter().copied().reduce(f64::max),
    ) else {
        return Vec::new();
    };
    if min == max {
        let count = values.len();
        return vec![Bin {
            from: min,
            to: max,
            count,
        }];
    }
    let whole = values.iter().all(|v| v.fract() == 0.0);
    let width = round_width(min, max, whole);
    let first = steps_below(min, width);
    let edge = |i: usize| (first + i as f64) * width;
    let mut bins: Vec<Bin> = (0..bars_needed(min, max, width))
        .map(|i| Bin {
            from: edge(i),
            to: edge(i + 1),
            count: 0,
        })
        .collect();
    for v in values {
        let i = bin_of(&bins, v, edge(0), width);
        bins[i].count += 1;
    }
    bins
}

/// How many whole `width`s fit below `x`, not fooled by rounding (0.6 / 0.2 is a hair under 3).
fn steps_below(x: f64, width: f64) -> f64 {
    let steps = x / width;
    if (steps - steps.round()).abs() < 1e-6 {
        steps.round()
    } else {
        steps.floor()
    }
}

/// How many bars of `width` it takes, starting at a multiple of it, to cover `min` to `max`.
fn bars_needed(min: f64, max: f64, width: f64) -> usize {
    (steps_below(max, width) - steps_below(min, width)) as usize + 1
}

/// The round bar width that covers `min` to `max` in closest to [`HISTOGRAM_BINS`] bars (the
/// fewer bars when two are as close).
fn round_width(min: f64, max: f64, whole: bool) -> f64 {
    let power = 10f64.powf(((max - min) / HISTOGRAM_BINS as f64).log10().floor());
    [20.0, 10.0, 5.0, 2.5, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .map(|w| if whole { w.round().max(1.0) } else { w })
        .min_by_key(|&w| bars_needed(min, max, w).abs_diff(HISTOGRAM_BINS))
        .unwrap_or(1.0)
}

/// How many decimals it takes to write multiples of `width` (0.25: 2).
fn places_of(width: f64) -> usize {
    (0..6)
        .find(|&p| {
            let scaled = width * 10f64.powi(p as i32);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(6)
}

/// The bin `v` falls in, agreeing with the edges the bins show despite rounding (0.3 starts
/// the bar written "0.3", though 0.1 + 0.2 is a hair more).
fn bin_of(bins: &[Bin], v: f64, min: f64, width: f64) -> usize {
    let hair = width * 1e-9;
    let mut i = (((v - min) / width) as usize).min(bins.len() - 1);
    while i + 1 < bins.len() && v >= bins[i + 1].from - hair {
        i += 1;
    }
    while i > 0 && v < bins[i].from - hair {
        i -= 1;
    }
    i
}

/// How wide a character is written: Chinese (and other full-width) characters 9, others 5.
fn char_width(c: char) -> usize {
    let wide = matches!(c,
        '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}' | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}');
    if wide {
        9
    } else {
        5
    }
}

/// `label` as is if it is at most `room` wide (see [`char_width`]), or cut and ended with "…".
fn shorten(label: &str, room: usize) -> String {
    let label = label.trim();
    if label.chars().map(char_width).sum::<usize>() <= room {
        return label.to_owned();
    }
    let mut used = char_width('…');
    let mut short: String = label
        .chars()
        .take_while(|&c| {
            used += char_width(c);
            used <= room
        })
        .collect();
    short.truncate(short.trim_end().len());
    short.push('…');
    short
}

/// An option's label beside its bar: about 10 Chinese or 18 Latin characters.
pub fn short_label(label: &str) -> String {
    shorten(label, 90)
}

/// A download's file name: the chart's title without characters file systems refuse.
pub fn file_name(title: &str, extension: &str) -> String {
    let safe: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(60)
        .collect();
    let safe = safe.trim().trim_matches('.');
    let stem = if safe.is_empty() { "chart" } else { safe };
    format!("{stem}.{extension}")
}

/// `x` with at most `places` decimals, without trailing zeros.
fn rounded(x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" {
        "0".to_owned()
    } else {
        text
    }
}

/// What a chart shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Chart {
    /// Responses per day: a line with a dot on each day.
    Responses(Vec<DayCount>),
    /// Responses raising an alert per day: bars.
    Alerts(Vec<DayCount>),
    /// How many chose each option (label, count), of how many answered: bars.
    Options {
        bars: Vec<(String, usize)>,
        answered: usize,
    },
    /// How a number question's answers spread, edges written with `places` decimals.
    Spread { bins: Vec<Bin>, places: usize },
}

impl Chart {
    /// The height of its picture, in SVG units.
    fn height(&self) -> f64 {
        match self {
            Chart::Options { bars, .. } => 16.0 + bars.len() as f64 * OPTION_ROW,
            _ => COLUMN_CHART_HEIGHT,
        }
    }
}

/// A chart with its title.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartCard {
    /// `per-day`, `alerts-per-day`, or the question's id.
    pub key: String,
    pub title: String,
    pub chart: Chart,
}

/// The charts of `rows`, in the interface language `lang`.
pub fn chart_cards(
    questions: &[Question],
    rows: &[Row],
    alerting: &HashSet<i64>,
    lang: Lang,
) -> Vec<ChartCard> {
    let mut cards = day_charts(rows, alerting, lang);
    cards.extend(
        questions
            .iter()
            .filter_map(|q| question_chart(q, rows, lang)),
    );
    cards
}

/// Responses per day and, if any response raises an alert, alerts per day.
fn day_charts(rows: &[Row], alerting: &HashSet<i64>, lang: Lang) -> Vec<ChartCard> {
    let times: Vec<i64> = rows.iter().map(|r| r.submitted_at).collect();
    let Some(days) = day_span(&times) else {
        return Vec::new();
    };
    let mut cards = vec![ChartCard {
        key: "per-day".into(),
        title: chart_text(lang, ChartText::ResponsesPerDay).into(),
        chart: Chart::Responses(per_day(&times, days.clone())),
    }];
    let alerts: Vec<i64> = rows
        .iter()
        .filter(|r| alerting.contains(&r.id))
        .map(|r| r.submitted_at)
        .collect();
    if !alerts.is_empty() {
        cards.push(ChartCard {
            key: "alerts-per-day".into(),
            title: chart_text(lang, ChartText::AlertsPerDay).into(),
            chart: Chart::Alerts(per_day(&alerts, days)),
        });
    }
    cards
}

/// The chart of a choice, yes/no or number question with answers among `rows`.
fn question_chart(q: &Question, rows: &[Row], lang: Lang) -> Option<ChartCard> {
    let answers: Vec<&Value> = rows
        .iter()
        .filter_map(|r| r.answers.get(&q.id))
        .filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            Value::Array(items) => !items.is_empty(),
            _ => true,
        })
        .collect();
    let yes_no = (text(lang, Text::Yes), text(lang, Text::No));
    let chart = if let Some(options) = choices(q, code(lang), yes_no) {
        let bars = options
            .into_iter()
            .map(|(value, label)| {
                (
                    label,
                    answers.iter().filter(|a| answer_has(a, &value)).count(),
                )
            })
            .collect();
        Chart::Options {
            bars,
            answered: answers.len(),
        }
    } else if q.kind == QuestionType::Number {
        let numbers: Vec<f64> = answers.iter().filter_map(|a| number(a)).collect();
        let bins = histogram(&numbers);
        let places = match bins.first() {
            Some(bin) if bins.len() > 1 => places_of(bin.to - bin.from),
            _ => q.decimals.unwrap_or(1).min(3) as usize + 1,
        };
        Chart::Spread { bins, places }
    } else {
        return None;
    };
    let empty = match &chart {
        Chart::Options { answered, .. } => *answered == 0,
        Chart::Spread { bins, .. } => bins.is_empty(),
        _ => false,
    };
    (!empty).then(|| ChartCard {
        key: q.id.clone(),
        title: q.label.get(code(lang)).to_owned(),
        chart,
    })
}

// ---------------------------------------------------------------------------------------------
// The view.

/// The charts of the responses shown, under the summary; nothing when no response is shown.
#[component]
pub fn ResponsesCharts(
    /// The answerable questions (the table's columns).
    questions: Signal<Vec<Question>>,
    /// The rows shown, after filtering.
    rows: Signal<Vec<Row>>,
    /// The ids of responses whose answers raise an alert.
    alerting: Signal<HashSet<i64>>,
    lang: Signal<Lang>,
) -> impl IntoView {
    let cards = Memo::new(move |_| {
        let lang = lang.get();
        questions.with(|qs| {
            rows.with(|rows| alerting.with(|alerting| chart_cards(qs, rows, alerting, lang)))
        })
    });
    view! {
        <Show when=move || cards.with(|c| !c.is_empty())>
            <section class="responses-charts" data-testid="responses-charts">
                <h2>{move || chart_text(lang.get(), ChartText::Charts)}</h2>
                <p class="hint">{move || chart_text(lang.get(), ChartText::ChartsNote)}</p>
                <div class="charts-list">
                    {move || {
                        cards
                            .get()
                            .into_iter()
                            .map(|card| view! { <ChartView card=card lang=lang /> })
                            .collect_view()
                    }}
                </div>
            </section>
        </Show>
    }
}

/// A picture format a chart downloads as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Picture {
    Svg,
    Png,
}

/// One chart: its title, the download buttons and the picture.
#[component]
fn ChartView(card: ChartCard, lang: Signal<Lang>) -> impl IntoView {
    let ChartCard { key, title, chart } = card;
    let picture = NodeRef::<leptos::svg::Svg>::new();
    let height = chart.height();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let download = {
        let title = title.clone();
        move |format: Picture| {
            let Some(svg) = picture.get_untracked() else {
                return;
            };
            let title = title.clone();
            busy.set(true);
            failed.set(false);
            spawn_local(async move {
                let saved = download_picture(&svg, &title, height, format).await;
                failed.set(saved.is_err());
                busy.set(false);
            });
        }
    };
    let button = move |format: Picture| {
        let (label, hint, testid) = match format {
            Picture::Svg => ("SVG", ChartText::DownloadSvg, "chart-svg"),
            Picture::Png => ("PNG", ChartText::DownloadPng, "chart-png"),
        };
        let download = download.clone();
        view! {
            <button
                type="button"
                class="chart-download"
                data-testid=testid
                title=move || chart_text(lang.get(), hint)
                disabled=move || busy.get()
                on:click=move |_| download(format)
            >
                {label}
            </button>
        }
    };
    view! {
        <article class="chart" data-testid="chart" data-chart=key>
            <h3>{title.clone()}</h3>
            <div class="chart-downloads">{button(Picture::Svg)} {button(Picture::Png)}</div>
            <svg
                node_ref=picture
                class="chart-picture"
                xmlns=SVG_NS
                viewBox=format!("0 0 {WIDTH} {height}")
                width="100%"
                font-family=FONTS
                role="img"
                aria-label=title
            >
                <rect x="0" y="0" width=WIDTH.to_string() height=height.to_string() fill=PAPER />
                {draw(chart)}
            </svg>
            <Show when=move || failed.get()>
                <p class="field-error" role="alert">
                    {move || chart_text(lang.get(), ChartText::DownloadFailed)}
                </p>
            </Show>
        </article>
    }
}

/// The inside of a chart's picture.
fn draw(chart: Chart) -> AnyView {
    match chart {
        Chart::Responses(days) => day_line(&days),
        Chart::Alerts(days) => day_bars(&days),
        Chart::Options { bars, answered } => option_bars(&bars, answered),
        Chart::Spread { bins, places } => spread_bars(&bins, places),
    }
}

/// A coordinate as an SVG attribute.
fn at(x: f64) -> String {
    format!("{x:.1}")
}

/// Where the bars, line and dots of a chart with columns (days, bins) go.
#[derive(Clone, Copy)]
struct Plot {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// How many columns.
    columns: usize,
    /// The count at the top.
    most: usize,
}

impl Plot {
    fn new(columns: usize, most: usize) -> Plot {
        Plot {
            left: 36.0,
            right: WIDTH - 18.0,
            top: 24.0,
            bottom: COLUMN_CHART_HEIGHT - 34.0,
            columns: columns.max(1),
            most: most.max(1),
        }
    }

    /// The width of one column.
    fn column(&self) -> f64 {
        (self.right - self.left) / self.columns as f64
    }

    /// The middle of column `i`.
    fn x(&self, i: usize) -> f64 {
        self.left + (i as f64 + 0.5) * self.column()
    }

    /// The height of `count`.
    fn y(&self, count: usize) -> f64 {
        self.bottom - count as f64 / self.most as f64 * (self.bottom - self.top)
    }

    /// Whether a count fits above each column.
    fn roomy(&self) -> bool {
        self.column() >= 14.0
    }

    /// The base line and the top line, with their counts.
    fn grid(&self) -> AnyView {
        let line = move |count: usize| {
            let y = at(self.y(count));
            view! {
                <line x1=at(self.left) x2=at(self.right) y1=y.clone() y2=y.clone() stroke=GRID stroke-width="1" />
                <text x=at(self.left - 6.0) y=at(self.y(count) + 4.0) font-size="12" fill=MUTED text-anchor="end">
                    {count.to_string()}
                </text>
            }
        };
        view! { {line(0)} {line(self.most)} }.into_any()
    }

    /// A count above column `i`, if there is room.
    fn count_above(&self, i: usize, count: usize) -> Option<AnyView> {
        (self.roomy() && count > 0).then(|| {
            view! {
                <text x=at(self.x(i)) y=at(self.y(count) - 6.0) font-size="12" fill=INK text-anchor="middle">
                    {count.to_string()}
                </text>
            }
            .into_any()
        })
    }

    /// Labels under the columns: every k-th, so they never overlap.
    fn column_labels(&self, labels: Vec<String>) -> AnyView {
        let every = label_every(labels.len(), MAX_DAY_LABELS);
        let y = at(self.bottom + 20.0);
        labels
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, label)| {
                view! {
                    <text x=at(self.x(i)) y=y.clone() font-size="12" fill=MUTED text-anchor="middle">
                        {label}
                    </text>
                }
            })
            .collect_view()
            .into_any()
    }
}

/// `MM-DD` of each day, under a day chart.
fn day_labels(days: &[DayCount]) -> Vec<String> {
    days.iter().map(|d| d.date[5..].to_owned()).collect()
}

/// Responses per day: a line with a dot on each day.
fn day_line(days: &[DayCount]) -> AnyView {
    let plot = Plot::new(days.len(), days.iter().map(|d| d.count).max().unwrap_or(0));
    let points = days
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{},{}", at(plot.x(i)), at(plot.y(d.count))))
        .collect::<Vec<_>>()
        .join(" ");
    let radius = if plot.roomy() { "3.5" } else { "2.5" };
    let dots = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            view! {
                <circle cx=at(plot.x(i)) cy=at(plot.y(d.count)) r=radius fill=GREEN data-date=d.date.clone() data-count=d.count />
                {plot.count_above(i, d.count)}
            }
        })
        .collect_view();
    view! {
        {plot.grid()}
        <polyline points=points fill="none" stroke=GREEN stroke-width="2" stroke-linejoin="round" />
        {dots}
        {plot.column_labels(day_labels(days))}
    }
    .into_any()
}

/// Responses raising an alert per day: red bars on the same days as the line.
fn day_bars(days: &[DayCount]) -> AnyView {
    let plot = Plot::new(days.len(), days.iter().map(|d| d.count).max().unwrap_or(0));
    let counts: Vec<usize> = days.iter().map(|d| d.count).collect();
    view! {
        {plot.grid()}
        {columns(&plot, &counts, 0.7, RED)}
        {plot.column_labels(day_labels(days))}
    }
    .into_any()
}

/// A bar per column of `plot`, `share` of the column wide, with its count above it.
fn columns(plot: &Plot, counts: &[usize], share: f64, colour: &'static str) -> AnyView {
    let width = (plot.column() * share).min(48.0);
    counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let top = plot.y(count);
            view! {
                <rect x=at(plot.x(i) - width / 2.0) y=at(top) width=at(width) height=at(plot.bottom - top) fill=colour data-count=count />
                {plot.count_above(i, count)}
            }
        })
        .collect_view()
        .into_any()
}

/// A number question's histogram, the bins' edges written under it.
fn spread_bars(bins: &[Bin], places: usize) -> AnyView {
    let counts: Vec<usize> = bins.iter().map(|b| b.count).collect();
    let plot = Plot::new(bins.len(), counts.iter().copied().max().unwrap_or(0));
    let edges = if bins.len() == 1 {
        plot.column_labels(vec![rounded(bins[0].from, places)])
    } else {
        edge_labels(&plot, bins, places)
    };
    view! {
        {plot.grid()}
        {columns(&plot, &counts, 0.92, GREEN)}
        {edges}
    }
    .into_any()
}

/// The values where bins meet, every k-th so at most six show, always the first and last.
fn edge_labels(plot: &Plot, bins: &[Bin], places: usize) -> AnyView {
    let mut edges: Vec<f64> = bins.iter().map(|b| b.from).collect();
    edges.extend(bins.last().map(|b| b.to));
    let every = label_every(edges.len(), MAX_DAY_LABELS);
    let y = at(plot.bottom + 20.0);
    edges
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0 || i + 1 == edges.len())
        .map(|(i, &edge)| {
            let x = plot.left + i as f64 * plot.column();
            view! {
                <line x1=at(x) x2=at(x) y1=at(plot.bottom) y2=at(plot.bottom + 5.0) stroke=MUTED stroke-width="1" />
                <text x=at(x) y=y.clone() font-size="12" fill=MUTED text-anchor="middle">{rounded(edge, places)}</text>
            }
        })
        .collect_view()
        .into_any()
}

/// How many chose each option: a horizontal bar per option, its count and share beside it.
fn option_bars(bars: &[(String, usize)], answered: usize) -> AnyView {
    const LABEL_X: f64 = 8.0;
    const BAR_X: f64 = 160.0;
    const BAR_LONGEST: f64 = 236.0;
    let most = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    bars.iter()
        .enumerate()
        .map(|(i, (label, n))| {
            let middle = 8.0 + (i as f64 + 0.5) * OPTION_ROW;
            let length = *n as f64 / most as f64 * BAR_LONGEST;
            let share = if answered == 0 { 0.0 } else { *n as f64 * 100.0 / answered as f64 };
            view! {
                <text x=at(LABEL_X) y=at(middle + 5.0) font-size="14" fill=INK>{short_label(label)}</text>
                <rect x=at(BAR_X) y=at(middle - 8.0) width=at(BAR_LONGEST) height="16" fill=TRACK />
                <rect x=at(BAR_X) y=at(middle - 8.0) width=at(length) height="16" fill=GREEN data-count=*n />
                <text x=at(BAR_X + length + 6.0) y=at(middle + 5.0) font-size="13" fill=INK>
                    {format!("{n} ({}%)", rounded(share, 0))}
                </text>
            }
        })
        .collect_view()
        .into_any()
}

// ---------------------------------------------------------------------------------------------
// Downloads.

/// Saves the chart `svg` (its picture `height` high) as an SVG or PNG file named after `title`.
async fn download_picture(
    svg: &web_sys::SvgElement,
    title: &str,
    height: f64,
    format: Picture,
) -> Result<(), JsValue> {
    let (svg_file, height) = svg_blob(svg, title, height)?;
    let (blob, extension) = match format {
        Picture::Svg => (svg_file, "svg"),
        Picture::Png => (png_blob(&svg_file, height).await?, "png"),
    };
    crate::api::save_blob(&blob, &file_name(title, extension)).map_err(|_| JsValue::NULL)
}

/// The chart as a standalone SVG file with its title written above it, and its height.
fn svg_blob(svg: &web_sys::SvgElement, title: &str, height: f64) -> Result<(Blob, f64), JsValue> {
    let copy: Element = svg.clone_node_with_deep(true)?.dyn_into()?;
    let document = document();
    let shifted = document.create_element_ns(Some(SVG_NS), "g")?;
    shifted.set_attribute("transform", &format!("translate(0 {TITLE_ROOM})"))?;
    while let Some(child) = copy.first_child() {
        shifted.append_child(&child)?;
    }
    let full = height + TITLE_ROOM;
    let paper = document.create_element_ns(Some(SVG_NS), "rect")?;
    for (name, value) in [("width", WIDTH.to_string()), ("height", full.to_string())] {
        paper.set_attribute(name, &value)?;
    }
    paper.set_attribute("fill", PAPER)?;
    let heading = document.create_element_ns(Some(SVG_NS), "text")?;
    for (name, value) in [
        ("x", "8"),
        ("y", "24"),
        ("font-size", "16"),
        ("font-weight", "bold"),
        ("fill", INK),
    ] {
        heading.set_attribute(name, value)?;
    }
    heading.set_text_content(Some(&shorten(title, 260)));
    for child in [&paper, &heading, &shifted] {
        copy.append_child(child)?;
    }
    copy.set_attribute("viewBox", &format!("0 0 {WIDTH} {full}"))?;
    copy.set_attribute("width", &WIDTH.to_string())?;
    copy.set_attribute("height", &full.to_string())?;
    // The serializer writes the namespace itself; a second `xmlns` would not parse.
    copy.remove_attribute("xmlns")?;
    copy.remove_attribute("class")?;
    let xml = XmlSerializer::new()?.serialize_to_string(&copy)?;
    let options = BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let parts = js_sys::Array::of1(&JsValue::from_str(&xml));
    Ok((
        Blob::new_with_str_sequence_and_options(&parts, &options)?,
        full,
    ))
}

/// The SVG file `svg` (`height` high) drawn at twice its size on white, as a PNG.
async fn png_blob(svg: &Blob, height: f64) -> Result<Blob, JsValue> {
    let url = Url::create_object_url_with_blob(svg)?;
    let image = HtmlImageElement::new()?;
    image.set_src(&url);
    let decoded = JsFuture::from(image.decode()).await;
    let _ = Url::revoke_object_url(&url);
    decoded?;
    let (w, h) = (WIDTH * 2.0, height * 2.0);
    let canvas: HtmlCanvasElement = document().create_element("canvas")?.dyn_into()?;
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let context: CanvasRenderingContext2d =
        canvas.get_context("2d")?.ok_or(JsValue::NULL)?.dyn_into()?;
    context.set_fill_style_str(PAPER);
    context.fill_rect(0.0, 0.0, w, h);
    context.draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, w, h)?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if canvas
            .to_blob_with_type(done.unchecked_ref(), "image/png")
            .is_err()
        {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    let blob = JsFuture::from(promise).await?;
    blob.dyn_into::<Blob>().map_err(|_| JsValue::NULL)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use gather_doc::form::display::{day_start_ms, CST_OFFSET_MINUTES};
    use gather_doc::form::{Choice, Question, QuestionType};
    use leptos::prelude::*;
    use serde_json::{json, Value};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    use super::super::data::{rows, Response, Row};
    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    const HOUR: i64 = 3_600_000;

    /// `HH:00` on `date`, China Standard Time.
    fn at_hour(date: &str, hour: i64) -> i64 {
        day_start_ms(date, CST_OFFSET_MINUTES).unwrap() + hour * HOUR
    }

    fn questions() -> Vec<Question> {
        vec![
            Question::new("name", QuestionType::Text, "姓名", "Name"),
            Question::new("temperature", QuestionType::Number, "体温", "Temperature"),
            Question::new("symptoms", QuestionType::MultipleChoice, "症状", "Symptoms")
                .with_options(vec![
                    Choice::new("fever", "发热", "Fever"),
                    Choice::new("cough", "咳嗽", "Cough"),
                ]),
            Question::new("away", QuestionType::YesNo, "离校", "Away"),
        ]
    }

    fn sample(answers: &[(&str, i64, Value)]) -> Vec<Row> {
        let all: BTreeMap<i64, Response> = answers
            .iter()
            .enumerate()
            .map(|(i, (date, hour, answers))| {
                let response = Response {
                    id: i as i64 + 1,
                    receipt: format!("R{i}"),
                    submitted_at: at_hour(date, *hour),
                    updated_at: 0,
                    answers: answers.as_object().cloned().unwrap_or_default(),
                };
                (response.id, response)
            })
            .collect();
        rows(&questions(), &all, "zh", false)
    }

    fn check_in() -> Vec<Row> {
        sample(&[
            (
                "2020-02-03",
                9,
                json!({"temperature": 36.5, "symptoms": ["cough"], "away": false}),
            ),
            (
                "2020-02-03",
                10,
                json!({"temperature": 38.1, "symptoms": ["fever", "cough"], "away": true}),
            ),
            (
                "2020-02-05",
                8,
                json!({"temperature": 36.8, "symptoms": [], "away": false}),
            ),
        ])
    }

    #[wasm_bindgen_test]
    fn a_day_without_responses_shows_zero() {
        let times = [
            at_hour("2020-02-03", 9),
            at_hour("2020-02-05", 8),
            at_hour("2020-02-05", 20),
        ];
        let days = per_day(&times, day_span(&times).unwrap());
        let shown: Vec<(&str, usize)> = days.iter().map(|d| (d.date.as_str(), d.count)).collect();
        assert_eq!(
            shown,
            [("2020-02-03", 1), ("2020-02-04", 0), ("2020-02-05", 2)]
        );
    }

    #[wasm_bindgen_test]
    fn days_are_counted_in_china_standard_time() {
        // 01:00 in Beijing is still the day before in UTC.
        let times = [at_hour("2020-02-04", 1)];
        let days = per_day(&times, day_span(&times).unwrap());
        assert_eq!(
            days,
            [DayCount {
                date: "2020-02-04".into(),
                count: 1
            }]
        );
    }

    #[wasm_bindgen_test]
    fn only_the_last_sixty_days_are_shown() {
        let times = [at_hour("2020-01-01", 9), at_hour("2020-04-30", 9)];
        let days = per_day(&times, day_span(&times).unwrap());
        assert_eq!(days.len(), 60);
        assert_eq!(days.last().unwrap().date, "2020-04-30");
        assert_eq!(days.iter().map(|d| d.count).sum::<usize>(), 1);
        assert_eq!(day_span(&[]), None);
    }

    #[wasm_bindgen_test]
    fn at_most_six_dates_are_written_under_a_day_chart() {
        for days in [1, 5, 6, 7, 13, 31, 60] {
            let every = label_every(days, MAX_DAY_LABELS);
            let written = (0..days).filter(|i| i % every == 0).count();
            assert!((1..=6).contains(&written), "{days} days: {written} dates");
        }
        assert_eq!(label_every(6, MAX_DAY_LABELS), 1, "six days: every date");
    }

    #[wasm_bindgen_test]
    fn a_fever_and_a_normal_temperature_fall_in_different_bars() {
        let temperatures = [36.2, 36.5, 36.6, 36.8, 37.0, 38.1, 38.6];
        let bins = histogram(&temperatures);
        assert!((8..=12).contains(&bins.len()), "{} bars", bins.len());
        let bar_of = |t: f64| bins.iter().position(|b| b.from <= t && t < b.to).unwrap();
        assert_ne!(bar_of(36.5), bar_of(38.1));
        assert!(bins[0].from <= 36.2, "the first bar covers the lowest");
        assert!(
            bins.last().unwrap().to > 38.6,
            "the last bar covers the highest"
        );
        assert_eq!(
            bins.last().unwrap().count,
            1,
            "the highest is counted in the last bar"
        );
        assert_eq!(
            bins.iter().map(|b| b.count).sum::<usize>(),
            temperatures.len()
        );
    }

    #[wasm_bindgen_test]
    fn bars_start_at_round_numbers() {
        let bins = histogram(&[36.2, 36.5, 36.6, 38.1]);
        let width = bins[0].to - bins[0].from;
        let edges: Vec<String> = bins
            .iter()
            .map(|b| rounded(b.from, places_of(width)))
            .collect();
        assert_eq!(edges[..4], ["36.2", "36.4", "36.6", "36.8"]);
        let ages = histogram(&[18.0, 19.0, 22.0]);
        let edges: Vec<f64> = ages.iter().map(|b| b.from).collect();
        assert_eq!(
            edges,
            [18.0, 19.0, 20.0, 21.0, 22.0],
            "whole years, one bar each"
        );
    }

    #[wasm_bindgen_test]
    fn answers_on_a_bar_edge_go_to_the_bar_that_starts_there() {
        let bins = histogram(&[0.0, 0.3, 1.0]);
        let with_edge = bins
            .iter()
            .position(|b| rounded(b.from, 2) == "0.3")
            .unwrap();
        assert_eq!(bins[with_edge].count, 1);
    }

    #[wasm_bindgen_test]
    fn equal_answers_make_one_bar() {
        let bins = histogram(&[36.6, 36.6, 36.6]);
        assert_eq!(
            bins,
            [Bin {
                from: 36.6,
                to: 36.6,
                count: 3
            }]
        );
        assert!(histogram(&[]).is_empty());
    }

    #[wasm_bindgen_test]
    fn long_option_labels_are_shortened_with_an_ellipsis() {
        assert_eq!(short_label("发热"), "发热");
        assert_eq!(short_label("Shortness of breath"), "Shortness of brea…");
        let chinese = short_label("近十四天内去过中高风险地区或接触过确诊病例");
        assert!(chinese.ends_with('…'));
        assert!(chinese.chars().count() <= 10, "{chinese}");
        assert_eq!(short_label("Sore throat"), "Sore throat");
    }

    #[wasm_bindgen_test]
    fn downloads_are_named_after_the_chart() {
        assert_eq!(file_name("体温", "png"), "体温.png");
        assert_eq!(file_name("Temp / °C?", "svg"), "Temp _ °C_.svg");
        assert_eq!(file_name("  ", "svg"), "chart.svg");
    }

    #[wasm_bindgen_test]
    fn each_choice_yes_no_and_number_question_gets_a_chart() {
        let rows = check_in();
        let cards = chart_cards(&questions(), &rows, &HashSet::new(), Lang::Zh);
        let keys: Vec<&str> = cards.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            ["per-day", "temperature", "symptoms", "away"],
            "no alerts chart without alerts"
        );
        assert_eq!(cards[1].title, "体温");
        let Chart::Options { bars, answered } = &cards[2].chart else {
            panic!("symptoms: {:?}", cards[2].chart)
        };
        assert_eq!(bars, &[("发热".to_owned(), 1), ("咳嗽".to_owned(), 2)]);
        assert_eq!(*answered, 2, "an empty list of symptoms is no answer");
        let Chart::Options { bars, .. } = &cards[3].chart else {
            panic!()
        };
        assert_eq!(bars, &[("是".to_owned(), 1), ("否".to_owned(), 2)]);
    }

    #[wasm_bindgen_test]
    fn alerts_are_counted_on_the_days_of_all_responses() {
        let rows = check_in();
        let cards = chart_cards(&questions(), &rows, &HashSet::from([2]), Lang::En);
        assert_eq!(cards[1].title, "Responses needing attention per day");
        let Chart::Alerts(days) = &cards[1].chart else {
            panic!("{:?}", cards[1].chart)
        };
        let counts: Vec<usize> = days.iter().map(|d| d.count).collect();
        assert_eq!(counts, [1, 0, 0]);
    }

    #[wasm_bindgen_test]
    fn no_charts_without_responses() {
        assert!(chart_cards(&questions(), &[], &HashSet::new(), Lang::Zh).is_empty());
    }

    #[wasm_bindgen_test]
    async fn charts_are_drawn_and_download_as_pictures() {
        let parent: web_sys::HtmlElement =
            document().create_element("div").unwrap().unchecked_into();
        document().body().unwrap().append_child(&parent).unwrap();
        let rows = check_in();
        let handle = leptos::mount::mount_to(parent.clone(), move || {
            view! {
                <ResponsesCharts
                    questions=Signal::derive(questions)
                    rows=Signal::derive(move || rows.clone())
                    alerting=Signal::derive(|| HashSet::from([2]))
                    lang=Signal::derive(|| Lang::Zh)
                />
            }
        });
        let pictures = parent.query_selector_all("svg.chart-picture").unwrap();
        assert_eq!(
            pictures.length(),
            5,
            "per day, alerts, temperature, symptoms, away"
        );
        let day_chart = parent
            .query_selector("[data-chart=per-day]")
            .unwrap()
            .unwrap();
        let text = day_chart.text_content().unwrap();
        assert!(text.contains("02-03") && text.contains("02-05"), "{text}");
        let zero_day = parent
            .query_selector("circle[data-date='2020-02-04']")
            .unwrap()
            .unwrap();
        assert_eq!(zero_day.get_attribute("data-count").as_deref(), Some("0"));

        let svg: web_sys::SvgElement = day_chart
            .query_selector("svg")
            .unwrap()
            .unwrap()
            .unchecked_into();
        let (file, height) = svg_blob(&svg, "每日回复数", COLUMN_CHART_HEIGHT).unwrap();
        assert_eq!(file.type_(), "image/svg+xml");
        let png = png_blob(&file, height)
            .await
            .expect("the SVG opens as a picture");
        assert_eq!(png.type_(), "image/png");
        assert!(png.size() > 1000.0);
        drop(handle);
        parent.remove();
    }
}
