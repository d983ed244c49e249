#include "tapegrad/models/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "tapegrad/models/output_files.hpp"

namespace tapegrad::models {

namespace {

constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
constexpr int kTitleBand = 34;     // pixels above the panels for the figure's title
constexpr double kLeft = 74;       // panel margins: tick labels and the y label on the left,
constexpr double kRight = 18;      // the panel title on top, tick labels and the x label below
constexpr double kTop = 30;
constexpr double kBottom = 46;
constexpr std::size_t kMarkerLimit = 60;   // more points than this: the line alone
constexpr std::size_t kTextLimit = 400;    // bytes of a title or label drawn; longer ones are cut

// `text` escaped for the SVG, cut to kTextLimit bytes (at a character boundary) with "...".
std::string label(const std::string& text) {
  if (text.size() <= kTextLimit) return detail::xml_escaped(text);
  std::size_t cut = kTextLimit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;  // not inside a character
  return detail::xml_escaped(text.substr(0, cut)) + "...";
}

void validate(const Figure& figure) {
  for (const Panel& panel : figure.panels)
    for (const Series& s : panel.series)
      if (s.x.size() != s.y.size())
        throw std::invalid_argument("plot_svg: series \"" + s.title + "\" has " + std::to_string(s.x.size()) +
                                    " x values and " + std::to_string(s.y.size()) + " y values");
}

std::string number(double v) {  // a coordinate, to a tenth of a pixel
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

// A tick label for v on an axis whose ticks are `step` apart and reach `magnitude`.
std::string tick_label(double v, double step, double magnitude) {
  if (std::abs(v) < step * 1e-6) return "0";
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  char buffer[48];
  if (magnitude >= 1e6 || decimals > 5) {
    const int digits = std::clamp(static_cast<int>(std::floor(std::log10(std::abs(v)))) -
                                      static_cast<int>(std::floor(std::log10(step) + 1e-9)),
                                  0, 15);
    std::snprintf(buffer, sizeof buffer, "%.*e", digits, v);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  }
  return buffer;
}

std::string decade_label(int k) {
  if (k >= -3 && k <= 4) return tick_label(std::pow(10.0, k), std::pow(10.0, std::min(k, 0)), 1);
  return "1e" + std::to_string(k);
}

// One axis: the data range mapped to pixels, and its ticks.
struct Axis {
  double lo = 0, hi = 1;  // in data units (log10 of them on a log axis)
  bool log = false;
  std::vector<double> ticks;  // in the same units as lo and hi
  std::vector<std::string> labels;

  bool usable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double unit(double v) const { return log ? std::log10(v) : v; }
  double fraction(double v) const { return (unit(v) - lo) / (hi - lo); }
};

Axis make_axis(const std::vector<const std::vector<double>*>& values, bool log) {
  Axis axis;
  axis.log = log;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* vs : values)
    for (double v : *vs)
      if (axis.usable(v)) {
        lo = std::min(lo, axis.unit(v));
        hi = std::max(hi, axis.unit(v));
      }
  if (!(lo <= hi)) lo = 0, hi = 1;  // nothing to draw: an empty frame
  if (log) {
    axis.lo = std::floor(lo);
    axis.hi = std::max(std::ceil(hi), axis.lo + 1);
    // A tick every `every` decades, at most 8 of them; the axis ends on ticks.
    const int every = std::max(1, (static_cast<int>(axis.hi - axis.lo) + 7) / 8);
    axis.lo = std::floor(axis.lo / every) * every;
    axis.hi = std::ceil(axis.hi / every) * every;
    for (int k = static_cast<int>(axis.lo); k <= static_cast<int>(axis.hi); k += every) {
      axis.ticks.push_back(k);
      axis.labels.push_back(decade_label(k));
    }
    return axis;
  }
  if (hi - lo <= 1e-12 * std::max(1.0, std::abs(lo))) {  // one value: a band around it
    const double pad = std::abs(lo) > 0 ? 0.1 * std::abs(lo) : 1.0;
    lo -= pad;
    hi += pad;
  }
  axis.ticks = detail::nice_ticks(lo, hi, 5);
  if (axis.ticks.size() < 2) {  // a range too wide for doubles: the bare ends
    axis.ticks = {lo, hi};
  }
  axis.lo = axis.ticks.front();
  axis.hi = axis.ticks.back();
  const double step = axis.ticks[1] - axis.ticks[0];
  const double magnitude = std::max(std::abs(axis.lo), std::abs(axis.hi));
  for (double t : axis.ticks) axis.labels.push_back(tick_label(t, step, magnitude));
  return axis;
}

struct Point {
  double x, y;
};

// Consecutive points in one pixel column reduced to the first, lowest, highest and last, so a
// history of a million iterations draws as a few thousand points and looks the same.
std::vector<Point> thinned(const std::vector<Point>& points) {
  std::vector<Point> out;
  for (std::size_t begin = 0; begin < points.size();) {
    std::size_t end = begin + 1, low = begin, high = begin;
    const double column = std::floor(points[begin].x);
    for (; end < points.size() && std::floor(points[end].x) == column; ++end) {
      if (points[end].y > points[low].y) low = end;  // pixels grow downwards
      if (points[end].y < points[high].y) high = end;
    }
    std::vector<std::size_t> keep = {begin, std::min(low, high), std::max(low, high), end - 1};
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    for (std::size_t k : keep) out.push_back(points[k]);
    begin = end;
  }
  return out;
}

void draw_panel(std::ostringstream& svg, const Panel& panel, double left, double top, double width, double height) {
  const double x0 = left + kLeft, y0 = top + kTop;
  const double w = std::max(10.0, width - kLeft - kRight), h = std::max(10.0, height - kTop - kBottom);
  std::vector<const std::vector<double>*> xs, ys;
  for (const Series& s : panel.series) {
    xs.push_back(&s.x);
    ys.push_back(&s.y);
  }
  const Axis ax = make_axis(xs, false);
  const Axis ay = make_axis(ys, panel.log_y);
  const auto px = [&](double v) { return x0 + ax.fraction(v) * w; };
  const auto py = [&](double v) { return y0 + h - ay.fraction(v) * h; };

  svg << "<g class=\"panel\">\n";
  svg << "<text x=\"" << number(x0 + w / 2) << "\" y=\"" << number(top + 20)
      << "\" text-anchor=\"middle\" font-size=\"13\">" << label(panel.title) << "</text>\n";
  // Grid lines and tick labels.
  for (std::size_t i = 0; i < ax.ticks.size(); ++i) {
    const double x = x0 + (ax.ticks[i] - ax.lo) / (ax.hi - ax.lo) * w;
    svg << "<line x1=\"" << number(x) << "\" y1=\"" << number(y0) << "\" x2=\"" << number(x) << "\" y2=\""
        << number(y0 + h) << "\" stroke=\"#e5e5e5\"/>\n"
        << "<text x=\"" << number(x) << "\" y=\"" << number(y0 + h + 16) << "\" text-anchor=\"middle\">"
        << detail::xml_escaped(ax.labels[i]) << "</text>\n";
  }
  for (std::size_t i = 0; i < ay.ticks.size(); ++i) {
    const double y = y0 + h - (ay.ticks[i] - ay.lo) / (ay.hi - ay.lo) * h;
    svg << "<line x1=\"" << number(x0) << "\" y1=\"" << number(y) << "\" x2=\"" << number(x0 + w) << "\" y2=\""
        << number(y) << "\" stroke=\"#e5e5e5\"/>\n"
        << "<text x=\"" << number(x0 - 6) << "\" y=\"" << number(y + 4) << "\" text-anchor=\"end\">"
        << detail::xml_escaped(ay.labels[i]) << "</text>\n";
  }
  svg << "<rect x=\"" << number(x0) << "\" y=\"" << number(y0) << "\" width=\"" << number(w) << "\" height=\""
      << number(h) << "\" fill=\"none\" stroke=\"#444\"/>\n";
  svg << "<text x=\"" << number(x0 + w / 2) << "\" y=\"" << number(y0 + h + 36) << "\" text-anchor=\"middle\">"
      << label(panel.xlabel) << "</text>\n";
  if (!panel.ylabel.empty()) {
    const double lx = left + 14, ly = y0 + h / 2;
    svg << "<text x=\"" << number(lx) << "\" y=\"" << number(ly) << "\" text-anchor=\"middle\" transform=\"rotate(-90 "
        << number(lx) << " " << number(ly) << ")\">" << label(panel.ylabel) << "</text>\n";
  }

  // The series: polylines broken where a point cannot be drawn (NaN, infinite, <= 0 on a log axis).
  for (std::size_t s = 0; s < panel.series.size(); ++s) {
    const Series& series = panel.series[s];
    const char* colour = kColours[s % (sizeof kColours / sizeof kColours[0])];
    std::vector<std::vector<Point>> pieces(1);
    std::size_t drawn = 0;
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      if (!ax.usable(series.x[i]) || !ay.usable(series.y[i])) {
        if (!pieces.back().empty()) pieces.emplace_back();
        continue;
      }
      pieces.back().push_back({px(series.x[i]), py(series.y[i])});
      ++drawn;
    }
    for (const auto& piece : pieces) {
      if (piece.empty()) continue;
      const std::vector<Point> points = thinned(piece);
      svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"" << (series.points ? "1.2" : "2")
          << "\" points=\"";
      for (std::size_t i = 0; i < points.size(); ++i)
        svg << (i ? " " : "") << number(points[i].x) << "," << number(points[i].y);
      svg << "\"/>\n";
      if (series.points && drawn <= kMarkerLimit)
        for (const Point& p : points)
          svg << "<circle cx=\"" << number(p.x) << "\" cy=\"" << number(p.y) << "\" r=\"2.2\" fill=\"" << colour
              << "\"/>\n";
    }
  }
  if (panel.series.size() > 1) {  // a legend in the top right corner, on a white box
    std::size_t longest = 0;
    for (const Series& series : panel.series) longest = std::max(longest, std::min(series.title.size(), kTextLimit));
    const double box = std::min(w - 8, 44 + 6.2 * static_cast<double>(longest));  // ~6.2 px per character
    svg << "<rect x=\"" << number(x0 + w - 4 - box) << "\" y=\"" << number(y0 + 4) << "\" width=\"" << number(box)
        << "\" height=\"" << number(16.0 * panel.series.size() + 6) << "\" fill=\"white\" fill-opacity=\"0.85\" "
        << "stroke=\"#ccc\"/>\n";
    double y = y0 + 20;
    for (std::size_t s = 0; s < panel.series.size(); ++s, y += 16) {
      const char* colour = kColours[s % (sizeof kColours / sizeof kColours[0])];
      svg << "<line x1=\"" << number(x0 + w - 34) << "\" y1=\"" << number(y - 4) << "\" x2=\"" << number(x0 + w - 10)
          << "\" y2=\"" << number(y - 4) << "\" stroke=\"" << colour << "\" stroke-width=\"2\"/>\n"
          << "<text x=\"" << number(x0 + w - 40) << "\" y=\"" << number(y) << "\" text-anchor=\"end\">"
          << label(panel.series[s].title) << "</text>\n";
    }
  }
  svg << "</g>\n";
}

}  // namespace

namespace detail {

std::string xml_escaped(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = byte(i);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c);  // XML forbids most controls
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (no overlong forms, surrogates or U+FFFE/U+FFFF) is copied.
    std::size_t length = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (length && i + length <= text.size()) {
      for (std::size_t k = 1; k < length; ++k)
        if ((byte(i + k) & 0xc0) != 0x80) length = 0;
      if (length) {
        const unsigned char second = byte(i + 1);
        if ((c == 0xe0 && second < 0xa0) || (c == 0xed && second > 0x9f) || (c == 0xf0 && second < 0x90) ||
            (c == 0xf4 && second > 0x8f) || (c == 0xef && second == 0xbf && (byte(i + 2) & 0xfe) == 0xbe))
          length = 0;
      }
    } else {
      length = 0;
    }
    if (length) {
      out.append(text, i, length);
      i += length;
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  const double range = hi - lo;
  if (!std::isfinite(range) || !(range > 0) || target < 1) return {lo};
  const double raw = range / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  const double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * magnitude;
  // Multiples of step from below lo to above hi, each computed as i * step (no drift).
  const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
  std::vector<double> ticks;
  for (double i = first; i <= last; ++i) ticks.push_back(i * step);
  return ticks;
}

}  // namespace detail

std::string render_svg(const Figure& figure) {
  validate(figure);
  const int width = std::max(figure.width, 200), height = std::max(figure.height, 150);
  const double band = figure.title.empty() ? 0 : kTitleBand;
  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
      << width << " " << height << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
      << "<title>" << label(figure.title) << "</title>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!figure.title.empty())
    svg << "<text x=\"" << number(width / 2.0) << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">"
        << label(figure.title) << "</text>\n";
  const double panel_width = figure.panels.empty() ? width : static_cast<double>(width) / figure.panels.size();
  for (std::size_t p = 0; p < figure.panels.size(); ++p)
    draw_panel(svg, figure.panels[p], p * panel_width, band, panel_width, height - band);
  svg << "</svg>\n";
  return svg.str();
}

std::string plot_data_csv(const Figure& figure) {
  validate(figure);
  std::ostringstream csv;
  csv << std::setprecision(17) << "panel,series,x,y\n";
  for (std::size_t p = 0; p < figure.panels.size(); ++p)
    for (std::size_t s = 0; s < figure.panels[p].series.size(); ++s) {
      const Series& series = figure.panels[p].series[s];
      for (std::size_t i = 0; i < series.x.size(); ++i)
        csv << p << "," << s << "," << series.x[i] << "," << series.y[i] << "\n";
    }
  return csv.str();
}

PlotResult plot_svg(const Figure& figure, const std::string& stem) {
  const std::string base = std::filesystem::absolute(stem).lexically_normal().string();
  PlotResult result;
  result.svg = base + ".svg";
  result.data = base + ".csv";
  OutputFiles files;
  files.add(result.data, plot_data_csv(figure));
  files.add(result.svg, render_svg(figure));
  files.commit();
  return result;
}

}  // namespace tapegrad::models
