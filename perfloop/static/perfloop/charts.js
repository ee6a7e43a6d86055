/* perfloop charts — draws every <div data-chart="kind" data-chart-source="json-id"> with ECharts.
 *
 * Data comes from Django's json_script (the CSP forbids inline scripts). Numbers arrive as exact decimal
 * strings ("87.5" = 87.5 %) or null; null is "no data" and is never drawn as zero. Every visible word
 * comes translated inside the JSON, so this file holds no user-facing text.
 */
(function () {
  "use strict";

  var COLORS = {
    primary: "#1f4f82",
    primarySoft: "rgba(31, 79, 130, 0.10)",
    team: "#9aa7b8",
    low: "#d0453a",
    below: "#ee8a3c",
    near: "#f2c45a",
    met: "#3f9e6a",
    missing: "#eef1f5",
    grid: "#e9edf2",
    axis: "#687485",
    text: "#1d2733",
  };

  var charts = [];

  /* Tooltips are HTML: names come from the database, so every string is escaped before it is joined in. */
  function html(text) {
    return window.echarts.format.encodeHTML(String(text));
  }

  function fontFamily() {
    return window.getComputedStyle(document.body).fontFamily;
  }

  function toNumber(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function bandColor(value) {
    if (value === null) {
      return COLORS.missing;
    }
    if (value < 70) {
      return COLORS.low;
    }
    if (value < 85) {
      return COLORS.below;
    }
    return value < 100 ? COLORS.near : COLORS.met;
  }

  function percentText(value, noData) {
    var number = value === null || value === undefined || value === "-" ? NaN : Number(value);
    return Number.isNaN(number) ? noData : number.toFixed(1) + "%";
  }

  function isNarrow(el) {
    return el.clientWidth < 560;
  }

  function baseOption() {
    return {
      animationDuration: 400,
      textStyle: { fontFamily: fontFamily(), color: COLORS.text },
      tooltip: {
        confine: true,
        backgroundColor: "#ffffff",
        borderColor: "#e1e5eb",
        textStyle: { color: COLORS.text, fontSize: 13 },
      },
    };
  }

  function percentAxis(extra) {
    var axis = {
      type: "value",
      axisLabel: { formatter: "{value}%", color: COLORS.axis },
      splitLine: { lineStyle: { color: COLORS.grid } },
    };
    return Object.assign(axis, extra || {});
  }

  /* Value axes of attainment always reach past 100% so the target line is on the chart. */
  function upToTarget(extent) {
    return Math.max(120, Math.ceil((extent.max + 5) / 20) * 20);
  }

  function targetLine(label) {
    return {
      silent: true,
      symbol: "none",
      lineStyle: { color: COLORS.met, type: "dashed", width: 1.5 },
      label: { formatter: label + " 100%", color: COLORS.met, position: "insideEndTop", fontSize: 11 },
      data: [{ yAxis: 100 }],
    };
  }

  /* On horizontal bars the 100% tick itself names the dashed line; a rotated label would only crowd it. */
  function verticalTargetLine() {
    return {
      silent: true,
      symbol: "none",
      lineStyle: { color: COLORS.met, type: "dashed", width: 1.5 },
      label: { show: false },
      data: [{ xAxis: 100 }],
    };
  }

  /* A month line (team completion or a person's composite) against the 100% target. */
  function completionTrend(el, data) {
    var values = data.values.map(toNumber);
    var option = Object.assign(baseOption(), {
      grid: { left: 48, right: 16, top: 24, bottom: 40 },
      xAxis: {
        type: "category",
        data: data.axis,
        boundaryGap: false,
        axisLabel: { color: COLORS.axis, interval: 0, fontSize: isNarrow(el) ? 10 : 12 },
        axisLine: { lineStyle: { color: COLORS.grid } },
        axisTick: { show: false },
      },
      yAxis: percentAxis({ min: 0, max: upToTarget }),
      series: [
        {
          name: data.labels.series,
          type: "line",
          data: values,
          connectNulls: false,
          smooth: false,
          symbol: "circle",
          symbolSize: 7,
          lineStyle: { color: COLORS.primary, width: 2.5 },
          itemStyle: {
            color: function (params) {
              return bandColor(params.value);
            },
            borderColor: "#ffffff",
            borderWidth: 1.5,
          },
          areaStyle: { color: COLORS.primarySoft },
          markLine: targetLine(data.labels.target),
        },
      ],
    });
    if (data.secondary) {
      // A second measure on the same percent axis (the average composite next to completion).
      option.series.push({
        name: data.secondary.label,
        type: "line",
        data: data.secondary.values.map(toNumber),
        connectNulls: false,
        symbol: "emptyCircle",
        symbolSize: 5,
        lineStyle: { color: COLORS.team, width: 2, type: "dashed" },
        itemStyle: { color: COLORS.team },
      });
      option.legend = { top: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: COLORS.axis, fontSize: 12 } };
      option.grid.top = 32;
    }
    option.tooltip.trigger = "axis";
    option.tooltip.formatter = function (params) {
      var lines = [html(data.months[params[0].dataIndex])];
      params.forEach(function (point) {
        lines.push(html(point.seriesName) + ": <b>" + html(percentText(point.value, data.labels.noData)) + "</b>");
      });
      return lines.join("<br>");
    };
    return option;
  }

  /* How many people fall in each composite band this month: red < 70% → amber → green ≥ 100%. */
  function distribution(el, data) {
    var bandColors = { low: COLORS.low, below: COLORS.below, near: COLORS.near, met: COLORS.met };
    var option = Object.assign(baseOption(), {
      grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: data.bands.map(function (b) { return b.label; }),
        axisLabel: { color: COLORS.axis, interval: 0, fontSize: isNarrow(el) ? 11 : 12 },
        axisLine: { lineStyle: { color: COLORS.grid } },
        axisTick: { show: false },
      },
      yAxis: {
        type: "value",
        minInterval: 1,
        axisLabel: { color: COLORS.axis },
        splitLine: { lineStyle: { color: COLORS.grid } },
      },
      series: [
        {
          name: data.labels.series,
          type: "bar",
          barMaxWidth: 56,
          data: data.bands.map(function (b) {
            return { value: b.value, itemStyle: { color: bandColors[b.band], borderRadius: [3, 3, 0, 0] } };
          }),
          label: { show: true, position: "top", color: COLORS.text, fontWeight: 600 },
        },
      ],
    });
    option.tooltip.formatter = function (p) {
      return html(p.name) + "<br>" + html(data.labels.series) + ": <b>" + html(p.value) + "</b>";
    };
    return option;
  }

  /* Compact axis numbers in the page's language (8万 in Chinese, 80K in English); rates in percent. */
  function axisNumber(unit) {
    var compact = new Intl.NumberFormat(document.documentElement.lang || "zh-CN", {
      notation: "compact",
      maximumFractionDigits: 1,
    });
    return function (value) {
      return unit === "ratio" ? value + "%" : compact.format(value);
    };
  }

  /* One KPI over twelve months: the person, their target (dashed) and the team average (grey). */
  function kpiTrend(el, data) {
    var option = Object.assign(baseOption(), {
      legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: COLORS.axis, fontSize: 11 } },
      grid: { left: 6, right: 10, top: 30, bottom: 4, containLabel: true },
      xAxis: {
        type: "category",
        data: data.axis,
        boundaryGap: false,
        axisLabel: { color: COLORS.axis, fontSize: 10 },
        axisLine: { lineStyle: { color: COLORS.grid } },
        axisTick: { show: false },
      },
      yAxis: {
        type: "value",
        scale: true,
        axisLabel: { color: COLORS.axis, fontSize: 10, formatter: axisNumber(data.unit) },
        splitLine: { lineStyle: { color: COLORS.grid } },
      },
      series: [
        {
          name: data.labels.person,
          type: "line",
          data: data.person.map(toNumber),
          connectNulls: false,
          symbol: "circle",
          symbolSize: 5,
          lineStyle: { color: COLORS.primary, width: 2.5 },
          itemStyle: { color: COLORS.primary },
        },
        {
          name: data.labels.target,
          type: "line",
          data: data.target.map(toNumber),
          connectNulls: false,
          symbol: "none",
          lineStyle: { color: COLORS.met, width: 1.5, type: "dashed" },
          itemStyle: { color: COLORS.met },
        },
        {
          name: data.labels.team,
          type: "line",
          data: data.team.map(toNumber),
          connectNulls: false,
          symbol: "none",
          lineStyle: { color: COLORS.team, width: 2 },
          itemStyle: { color: COLORS.team },
        },
      ],
    });
    var keys = ["person", "target", "team"];
    option.tooltip.trigger = "axis";
    option.tooltip.formatter = function (params) {
      var index = params[0].dataIndex;
      var lines = [html(data.months[index])];
      params.forEach(function (p) {
        var shown = data.display[keys[p.seriesIndex]][index];
        lines.push(p.marker + html(p.seriesName) + ": <b>" + html(shown === null ? data.labels.noData : shown) + "</b>");
      });
      return lines.join("<br>");
    };
    return option;
  }

  /* Months × people: composite attainment, red < 70% → amber → green ≥ 100%; missing cells grey, not zero. */
  function heatMap(el, data) {
    var rowHeight = isNarrow(el) ? 30 : 32;
    el.style.height = Math.max(180, data.people.length * rowHeight + 96) + "px";
    var showValues = !isNarrow(el);
    var option = Object.assign(baseOption(), {
      grid: { left: 8, right: 12, top: 44, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        position: "bottom",
        data: data.axis,
        splitArea: { show: false },
        axisLabel: { color: COLORS.axis, interval: 0, fontSize: isNarrow(el) ? 10 : 12 },
        axisLine: { show: false },
        axisTick: { show: false },
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.people.map(function (p) { return p.name; }),
        axisLabel: { color: COLORS.text, fontSize: 13, width: isNarrow(el) ? 56 : 120, overflow: "truncate" },
        axisLine: { show: false },
        axisTick: { show: false },
        triggerEvent: true,
      },
      visualMap: {
        type: "piecewise",
        seriesIndex: 0,
        orient: "horizontal",
        top: 0,
        left: isNarrow(el) ? 0 : "center",
        itemWidth: 14,
        itemHeight: 14,
        itemGap: isNarrow(el) ? 6 : 14,
        textStyle: { color: COLORS.axis, fontSize: isNarrow(el) ? 11 : 12 },
        pieces: [
          { lt: 70, color: COLORS.low, label: data.labels.below70 },
          { gte: 70, lt: 85, color: COLORS.below, label: data.labels.below85 },
          { gte: 85, lt: 100, color: COLORS.near, label: data.labels.below100 },
          { gte: 100, color: COLORS.met, label: data.labels.met },
        ],
      },
      series: [
        {
          name: data.labels.composite,
          type: "heatmap",
          data: data.cells.map(function (cell) { return [cell[0], cell[1], toNumber(cell[2])]; }),
          label: {
            show: showValues,
            fontSize: 11,
            color: "#1d2733",
            formatter: function (params) { return Math.round(params.value[2]); },
          },
          itemStyle: { borderColor: "#ffffff", borderWidth: 2, borderRadius: 3 },
          emphasis: { itemStyle: { borderColor: COLORS.text, borderWidth: 1 } },
          cursor: "pointer",
        },
        {
          name: data.labels.noData,
          type: "heatmap",
          data: data.missing,
          itemStyle: { color: COLORS.missing, borderColor: "#ffffff", borderWidth: 2, borderRadius: 3 },
          emphasis: { disabled: true },
          cursor: "pointer",
        },
      ],
    });
    option.tooltip.formatter = function (params) {
      var person = data.people[params.value[1]];
      var month = data.months[params.value[0]];
      var value = params.seriesIndex === 0 ? percentText(params.value[2], data.labels.noData) : data.labels.noData;
      return html(person.name) + " · " + html(month) + "<br>" + html(data.labels.composite) + ": <b>" +
        html(value) + "</b>";
    };
    return option;
  }

  function heatMapEvents(chart, data) {
    chart.on("click", function (params) {
      var person = null;
      if (params.componentType === "series" && params.value) {
        person = data.people[params.value[1]];
      } else if (params.componentType === "yAxis") {
        var index = typeof params.dataIndex === "number" ? params.dataIndex : -1;
        person = data.people[index] || data.people.find(function (p) { return p.name === params.value; });
      }
      if (person) {
        window.location.assign(person.url);
      }
    });
  }

  /* Per KPI: this person's attainment and the team average, both as a share of this person's target. */
  function kpiBars(el, data) {
    var narrow = isNarrow(el);
    var option = Object.assign(baseOption(), {
      legend: { top: 0, left: 0, itemWidth: 12, itemHeight: 12, textStyle: { color: COLORS.axis } },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.kpis,
        axisLabel: { color: COLORS.text, fontSize: narrow ? 11 : 12, width: narrow ? 84 : 130, overflow: "truncate" },
        axisLine: { lineStyle: { color: COLORS.grid } },
        axisTick: { show: false },
      },
      xAxis: percentAxis({ min: 0, max: upToTarget }),
      series: [
        {
          name: data.labels.person,
          type: "bar",
          data: data.person.map(function (v) {
            var value = toNumber(v);
            return { value: value === null ? "-" : value, itemStyle: { color: bandColor(value) } };
          }),
          barMaxWidth: 12,
          // The legend swatch stays neutral; each bar is coloured by its band.
          itemStyle: { color: COLORS.primary, borderRadius: [0, 3, 3, 0] },
          markLine: verticalTargetLine(),
        },
        {
          name: data.labels.team,
          type: "bar",
          data: data.team.map(function (v) { var value = toNumber(v); return value === null ? "-" : value; }),
          barMaxWidth: 12,
          itemStyle: { color: COLORS.team, borderRadius: [0, 3, 3, 0] },
        },
      ],
    });
    option.tooltip.trigger = "axis";
    option.tooltip.axisPointer = { type: "shadow" };
    option.tooltip.formatter = function (params) {
      var lines = [html(params[0].name)];
      params.forEach(function (p) {
        lines.push(p.marker + html(p.seriesName) + ": <b>" + html(percentText(p.value, data.labels.noData)) + "</b>");
      });
      return lines.join("<br>");
    };
    return option;
  }

  /* Organisation: completion per unit (the units of the table's page). */
  function unitBars(el, data) {
    el.style.height = Math.max(160, data.units.length * 36 + 48) + "px";
    var option = Object.assign(baseOption(), {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.units.map(function (u) { return u.name; }),
        axisLabel: { color: COLORS.text, width: isNarrow(el) ? 84 : 160, overflow: "truncate" },
        axisLine: { lineStyle: { color: COLORS.grid } },
        axisTick: { show: false },
      },
      xAxis: percentAxis({ min: 0, max: upToTarget }),
      series: [
        {
          name: data.labels.series,
          type: "bar",
          barMaxWidth: 18,
          data: data.units.map(function (u) {
            var value = toNumber(u.value);
            return { value: value === null ? "-" : value, itemStyle: { color: bandColor(value) } };
          }),
          label: {
            show: true,
            position: "right",
            color: COLORS.text,
            formatter: function (p) { return percentText(p.value, data.labels.noData); },
          },
          markLine: verticalTargetLine(),
        },
      ],
    });
    option.tooltip.formatter = function (p) {
      return html(p.name) + "<br>" + html(data.labels.series) + ": <b>" +
        html(percentText(p.value, data.labels.noData)) + "</b>";
    };
    return option;
  }

  var BUILDERS = {
    "completion-trend": { option: completionTrend },
    "distribution": { option: distribution },
    "kpi-trend": { option: kpiTrend },
    "heat-map": { option: heatMap, events: heatMapEvents },
    "kpi-bars": { option: kpiBars },
    "unit-bars": { option: unitBars },
  };

  function readData(el) {
    var source = document.getElementById(el.getAttribute("data-chart-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function draw(el) {
    var builder = BUILDERS[el.getAttribute("data-chart")];
    var data = readData(el);
    if (!builder || !data || el.getAttribute("data-chart-drawn") === "true") {
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var narrow = isNarrow(el);
    chart.setOption(builder.option(el, data));
    if (builder.events) {
      builder.events(chart, data);
    }
    el.setAttribute("data-chart-drawn", "true");
    charts.push(chart);
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (chart.isDisposed()) {
          return;
        }
        // Crossing the phone breakpoint changes labels and row heights, not only the size.
        if (isNarrow(el) !== narrow) {
          narrow = isNarrow(el);
          chart.setOption(builder.option(el, data), true);
        }
        chart.resize();
      }).observe(el);
    }
  }

  function drawAll(root) {
    if (!window.echarts) {
      return;
    }
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  function disposeWithin(root) {
    charts = charts.filter(function (chart) {
      if (root.contains(chart.getDom())) {
        chart.dispose();
        return false;
      }
      return true;
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(function (root) {
      drawAll(root);
    });
    document.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.target) {
        disposeWithin(event.detail.target);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();
