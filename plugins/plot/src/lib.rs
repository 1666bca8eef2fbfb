//! The plot_sixel component. The tool itself, and the renderer under it, live in
//! toolhost-plot (guest/plot) so that other tools can link the renderer: a component's
//! exports may be defined once, so only this crate exports the tool.

pub use toolhost_plot::Plot;

toolhost_sdk::export_tool!(Plot);
