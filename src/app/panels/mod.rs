//! The panels around the plots: the menu bar, the toolbar, the run list and the settings, the timeline, the status
//! line, and the lesson panel.

pub mod lesson;
pub mod menu_bar;
pub mod run_list;
pub mod settings;
pub mod status;
pub mod timeline;
pub mod toolbar;
