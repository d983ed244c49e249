#pragma once
// Line plots as SVG files, drawn by tapegrad itself: no external program runs, so no text from
// a config (titles, names, paths) can ever reach a shell or a script. Every text in the image
// is XML-escaped (invalid UTF-8 replaced); non-finite points, and points <= 0 on a log axis,
// are skipped. The data lands in a CSV beside the image (<stem>.csv), to redraw it elsewhere.
#include <string>
#include <vector>

namespace tapegrad::models {

struct Series {
  std::string title;
  std::vector<double> x;
  std::vector<double> y;
  bool points = false;  // markers on the line (for iterations), else a plain line
};

struct Panel {
  std::string title;
  std::string xlabel;
  std::string ylabel;
  bool log_y = false;
  std::vector<Series> series;
};

struct Figure {
  std::string title;
  std::vector<Panel> panels;  // side by side
  int width = 900;            // pixels
  int height = 420;
};

struct PlotResult {
  std::string svg;   // the image
  std::string data;  // the CSV with every series
  std::string note;  // kept for callers that print why there is no image; always "" now
};

// The figure as an SVG document. Throws std::invalid_argument when a series' x and y differ
// in length.
std::string render_svg(const Figure& figure);

// Every series in long form, one row per point: "panel,series,x,y".
std::string plot_data_csv(const Figure& figure);

// Writes `<stem>.svg` and `<stem>.csv` together (output_files.hpp: unique temporaries, renamed
// into place together). `stem` is a path without extension, e.g. "runs/x/loss". Throws
// std::invalid_argument for a bad series, std::runtime_error when the files cannot be written.
PlotResult plot_svg(const Figure& figure, const std::string& stem);

namespace detail {
// `text` as XML character data or an attribute value: & < > " ' escaped, control characters
// as spaces, invalid UTF-8 replaced by U+FFFD.
std::string xml_escaped(const std::string& text);
// Tick positions on [lo, hi]: multiples of 1, 2 or 5 times a power of ten, about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target);
}  // namespace detail

}  // namespace tapegrad::models
