// `prcm report --out DIR`: a results file drawn as SVG charts (one per experiment,
// table and device: latency against the swept size for the sweeps, bars for the
// single-input tables and for `bench --module` or `run` rows) with an index page.
#include "report.h"

#include "prcm/files.h"

#include <sys/stat.h>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

namespace prcm::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char *kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                          "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

std::string esc(const std::string &s) {
    std::string out;
    for (char ch : s) {
        if (ch == '<')
            out += "&lt;";
        else if (ch == '>')
            out += "&gt;";
        else if (ch == '&')
            out += "&amp;";
        else if (ch == '"')
            out += "&quot;";
        else
            out += ch;
    }
    return out;
}

// A chart's file name from names in the results file: nothing that could leave the
// folder ("../", "/") or hide the file (a leading '.'), nor any control character.
std::string file_name(const std::string &key) {
    std::string out;
    for (unsigned char ch : key)
        out += std::isalnum(ch) || ch == '_' || ch == '-' || ch == '=' || ch == '.' ? static_cast<char>(ch) : '_';
    if (out.empty() || out[0] == '.') out.insert(0, "_");
    return out.substr(0, 200);
}

// An axis label or tooltip: four significant digits, as %g writes them.
std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

struct Point {
    double x;
    std::string label;
    double median, copy;
};

struct Chart {
    std::string experiment, part, device, sweep_name, title;
    std::vector<std::string> series;  // blocks in first-seen order
    std::map<std::string, std::vector<Point>> points;
};

// "Nice" axis steps: 1, 2 or 5 times a power of ten.
double nice_step(double range, int ticks) {
    const double raw = range / ticks, mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag) return m * mag;
    return 10 * mag;
}

std::string line_chart(const Chart &c) {
    const double W = 720, H = 420, left = 70, right = 190, top = 40, bottom = 60;
    const double pw = W - left - right, ph = H - top - bottom;
    double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
    bool powers_of_two = true;
    std::map<double, std::string> xlabels;
    for (const auto &[name, pts] : c.points)
        for (const Point &p : pts) {
            xmin = std::min(xmin, p.x);
            xmax = std::max(xmax, p.x);
            ymax = std::max(ymax, p.median);
            xlabels[p.x] = p.label;
            powers_of_two = powers_of_two && p.x > 0 && std::abs(std::log2(p.x) - std::round(std::log2(p.x))) < 1e-9;
        }
    const bool logx = powers_of_two && xmax / xmin >= 4;
    auto fx = [&](double x) {
        const double t = xmax == xmin ? 0.5
                         : logx       ? (std::log2(x) - std::log2(xmin)) / (std::log2(xmax) - std::log2(xmin))
                                      : (x - xmin) / (xmax - xmin);
        return left + t * pw;
    };
    // Blocks that differ by orders of magnitude (the bottleneck beside the modulators)
    // share a chart only on a log scale.
    double ymin = INFINITY;
    for (const auto &[name, pts] : c.points)
        for (const Point &p : pts) ymin = std::min(ymin, p.median);
    const bool logy = ymin > 0 && ymax / ymin > 30;
    const double step = nice_step(ymax > 0 ? ymax : 1, 5), ytop = std::ceil(ymax * 1.05 / step) * step;
    const double lo = logy ? std::pow(10.0, std::floor(std::log10(ymin))) : 0;
    const double hi = logy ? std::pow(10.0, std::ceil(std::log10(ymax))) : ytop;
    auto fy = [&](double y) {
        const double t = logy ? (std::log10(y) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : y / hi;
        return top + ph - t * ph;
    };
    std::vector<double> yticks;
    if (logy) {
        for (double d = lo; d <= hi * 1.0001; d *= 10)
            for (double m : {1.0, 2.0, 5.0})
                if (d * m <= hi * 1.0001) yticks.push_back(d * m);
    } else {
        for (double y = 0; y <= ytop + 1e-12; y += step) yticks.push_back(y);
    }

    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
        << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg << "<text x=\"" << W / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << esc(c.title)
        << "</text>\n";
    for (double y : yticks) {
        svg << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << fy(y) << "\" y2=\"" << fy(y)
            << "\" stroke=\"#ddd\"/><text x=\"" << left - 6 << "\" y=\"" << fy(y) + 4 << "\" text-anchor=\"end\">"
            << num(y) << "</text>\n";
    }
    for (const auto &[x, label] : xlabels) {
        svg << "<line x1=\"" << fx(x) << "\" x2=\"" << fx(x) << "\" y1=\"" << top + ph << "\" y2=\"" << top + ph + 5
            << "\" stroke=\"#333\"/><text x=\"" << fx(x) << "\" y=\"" << top + ph + 18 << "\" text-anchor=\"middle\">"
            << esc(label) << "</text>\n";
    }
    svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
        << "\" fill=\"none\" stroke=\"#333\"/>\n";
    svg << "<text x=\"" << left + pw / 2 << "\" y=\"" << H - 15 << "\" text-anchor=\"middle\">" << esc(c.sweep_name)
        << (logx ? " (log scale)" : "") << "</text>\n";
    svg << "<text transform=\"translate(18," << top + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
        << "median latency (ms" << (logy ? ", log scale" : "") << ")</text>\n";
    for (size_t i = 0; i < c.series.size(); i++) {
        const std::string &name = c.series[i];
        const char *color = kPalette[i % (sizeof kPalette / sizeof *kPalette)];
        std::string path;
        for (const Point &p : c.points.at(name)) {
            path += (path.empty() ? "M" : " L") + format_fixed(fx(p.x), 1) + "," + format_fixed(fy(p.median), 1);
            svg << "<circle cx=\"" << fx(p.x) << "\" cy=\"" << fy(p.median) << "\" r=\"3\" fill=\"" << color
                << "\"><title>" << esc(name) << " at " << esc(p.label) << ": " << num(p.median)
                << " ms</title></circle>\n";
        }
        svg << "<path d=\"" << path << "\" fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\"/>\n";
        const double ly = top + 10 + 18 * i;
        svg << "<line x1=\"" << left + pw + 12 << "\" x2=\"" << left + pw + 32 << "\" y1=\"" << ly << "\" y2=\"" << ly
            << "\" stroke=\"" << color << "\" stroke-width=\"3\"/><text x=\"" << left + pw + 38 << "\" y=\"" << ly + 4
            << "\">" << esc(name) << "</text>\n";
    }
    svg << "</svg>\n";
    return svg.str();
}

std::string bar_chart(const Chart &c) {
    std::vector<std::pair<std::string, Point>> bars;
    for (const std::string &name : c.series)
        for (const Point &p : c.points.at(name)) bars.push_back({name, p});
    const double left = 290, right = 90, top = 40, bar = 22, gap = 8;
    const double W = 820, H = top + bars.size() * (bar + gap) + 40, pw = W - left - right;
    double vmax = 0;
    for (const auto &[name, p] : bars) vmax = std::max({vmax, p.median, p.copy});
    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
        << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg << "<text x=\"" << W / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << esc(c.title)
        << "</text>\n";
    for (size_t i = 0; i < bars.size(); i++) {
        const auto &[name, p] = bars[i];
        const double y = top + i * (bar + gap), w = vmax > 0 ? p.median / vmax * pw : 0;
        svg << "<text x=\"" << left - 8 << "\" y=\"" << y + bar * 0.7 << "\" text-anchor=\"end\">" << esc(name)
            << "</text><rect x=\"" << left << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << bar
            << "\" fill=\"" << kPalette[0] << "\"/><text x=\"" << left + w + 6 << "\" y=\"" << y + bar * 0.7 << "\">"
            << format_ms(p.median) << " ms</text>\n";
        if (p.copy > 0) {  // the copy floor of the same tensor, measured in the same run
            const double cx = left + p.copy / vmax * pw;
            svg << "<line x1=\"" << cx << "\" x2=\"" << cx << "\" y1=\"" << y - 2 << "\" y2=\"" << y + bar + 2
                << "\" stroke=\"#d62728\" stroke-width=\"2\"/>\n";
        }
    }
    svg << "<text x=\"" << left << "\" y=\"" << H - 12
        << "\" fill=\"#d62728\">| copy of the same tensor (floor)</text>\n";
    svg << "</svg>\n";
    return svg.str();
}

}  // namespace

Status write_charts(const json &doc, const std::string &json_path, const std::string &out_dir, size_t *count) {
    // The output folder: one that exists must be a folder (a symlink to one is the
    // user's choice); one that does not is made, with its parents.
    if (out_dir.empty()) return Status::error("--out is empty");
    struct stat st;
    const bool out_exists = ::stat(out_dir.c_str(), &st) == 0;
    if (out_exists && !S_ISDIR(st.st_mode)) return Status::error("--out " + printable(out_dir) + " is not a folder");
    std::vector<std::string> order;
    std::map<std::string, Chart> charts;
    for (const json &r : doc.at("rows")) {
        if (!r.contains("latency_ms")) continue;
        // A row of `bench --module` or `run` has no experiment: a bar of its own.
        const std::string experiment =
            r.at("experiment").get<std::string>().empty() ? "bench" : r.at("experiment").get<std::string>();
        const std::string part = r.at("part"), device = r.at("device");
        const std::string key = file_name(experiment + (part.empty() ? "" : "_" + part) + "_" + device);
        Chart &c = charts[key];
        if (c.experiment.empty()) {
            order.push_back(key);
            c.experiment = experiment;
            c.part = part;
            c.device = device;
            c.title = experiment + (part.empty() ? "" : ", " + part) + " on " + device;
            c.sweep_name = experiment == "channels"     ? "channels"
                           : experiment == "resolution" ? "resolution (H = W)"
                           : experiment == "batch"      ? "batch size"
                           : experiment == "expansion"  ? "expansion ratio"
                           : experiment == "poolsize"   ? "pool size"
                           : experiment == "basis"      ? "num_basis"
                                                        : "";
        }
        std::string block = r.at("block");
        if (experiment == "bench") block += " " + shape_text(r.at("shape").get<TorchShape>());
        if (!c.points.count(block)) c.series.push_back(block);
        const double copy = r.contains("copy_ms") ? r.at("copy_ms").at("median").get<double>() : 0;
        c.points[block].push_back({r.at("sweep_value").get<double>(), r.at("sweep").get<std::string>(),
                                   r.at("latency_ms").at("median").get<double>(), copy});
    }
    if (charts.empty()) return Status::error(printable(json_path) + " holds no timed rows");
    const json &m = doc.at("context");
    std::ostringstream html;
    html << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>prcm-kernels results</title>\n"
         << "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}img{max-width:100%;"
            "border:1px solid #ddd;margin:0.5em 0}</style></head><body>\n"
         << "<h1>prcm-kernels results</h1>\n<p>" << esc(m.value("cpu", "")) << ", " << m.value("threads", 0)
         << (m.value("threads", 0) == 1 ? " thread" : " threads") << ", Halide " << esc(m.value("halide_version", ""))
         << ", CPU target " << esc(m.value("cpu_target", ""))
         << (m.value("cpu_target_forced", false) ? " (forced)" : "") << ", " << esc(m.value("date", "")) << " (commit "
         << esc(m.value("git_commit", "unknown")) << "). Every configuration was verified against the naive reference "
         << "before it was timed; charts show the median.</p>\n";
    if (!doc.at("summary").empty()) {
        html << "<h2>Summary</h2><ul>\n";
        for (const json &line : doc.at("summary")) html << "<li>" << esc(line.get<std::string>()) << "</li>\n";
        html << "</ul>\n";
    }

    std::error_code ec;
    if (!out_exists) fs::create_directories(out_dir, ec);
    if (ec) return Status::error("cannot create the folder " + printable(out_dir) + ": " + ec.message());
    const fs::path folder(out_dir);
    std::vector<std::string> outputs{(folder / "index.html").string()};
    for (const std::string &key : order) outputs.push_back((folder / (key + ".svg")).string());
    if (Status s = check_outputs(outputs, {json_path}); !s) return s;

    for (const std::string &key : order) {
        const Chart &c = charts[key];
        const bool sweep = !c.sweep_name.empty() && c.points.begin()->second.size() > 1;
        const std::string file = key + ".svg";
        if (Status s = write_file_atomically((folder / file).string(), sweep ? line_chart(c) : bar_chart(c)); !s)
            return s;
        html << "<h2>" << esc(c.title) << "</h2>\n<img src=\"" << esc(file) << "\" alt=\"" << esc(c.title) << "\">\n";
    }
    html << "</body></html>\n";
    if (Status s = write_file_atomically(outputs.front(), html.str()); !s) return s;
    *count = charts.size();
    return Status::ok();
}

}  // namespace prcm::cli
