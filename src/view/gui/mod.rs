//! The live store view: a bevy window with egui panels over the same simulation plugins the
//! headless runs use.
//!
//! The window only reads the stores' worlds and sends commands through [`Lab`]; simulated
//! time follows the clock controls, and positions between events are interpolated when
//! drawn. `--screenshot FILE --at HH:MM` runs to that time, renders the view into a PNG (after
//! enough frames for software renderers to compile their pipelines) and exits.

pub mod floor;
pub mod panels;

use std::path::PathBuf;
use std::process::ExitCode;

use bevy::app::AppExit;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use bevy::window::{PresentMode, WindowResolution};
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};

use crate::console::errln;
use crate::scenario::format_clock;
use crate::view::control::{Command, SessionLog};
use crate::view::lab::Lab;

use crate::view::model::Selection;
use floor::Camera;
use panels::{Action, ControlState, LiveKpis};

/// Options of `storelab gui`.
#[derive(Clone, Debug)]
pub struct GuiOptions {
    pub scenarios: Vec<PathBuf>,
    pub seed: Option<u64>,
    pub screenshot: Option<PathBuf>,
    /// Simulated time of the screenshot, seconds since 00:00.
    pub at: Option<f64>,
    /// Runs over days: the day (1-based) `at` is on.
    pub day: Option<u32>,
    /// Frames rendered before the screenshot is taken.
    pub frames: u32,
    pub replay: Option<SessionLog>,
}

/// View-only state: cameras, selection, panel values.
#[derive(Resource)]
struct ViewState {
    cameras: Vec<Camera>,
    selection: Option<(usize, Selection)>,
    controls: ControlState,
    heatmap: bool,
    message: Option<String>,
    scenario_files: Vec<PathBuf>,
}

#[derive(Resource)]
struct LabRes(Lab);

#[derive(Resource)]
struct ScreenshotPlan {
    path: PathBuf,
    frames: u32,
    taken: bool,
    saved_at_frame: Option<u32>,
    frame: u32,
}

/// Opens the window; returns when it is closed (or the screenshot is written).
pub fn run(opts: GuiOptions) -> ExitCode {
    let mut lab = match Lab::open(&opts.scenarios, opts.seed) {
        Ok(l) => l,
        Err(e) => {
            errln!("{}", e.trim_end());
            return ExitCode::from(2);
        }
    };
    if let Some(day) = opts.day
        && let Err(e) = lab.check_day(day)
    {
        errln!("error: --day {e}");
        return ExitCode::from(2);
    }
    let day = opts.day.unwrap_or(1);
    // `--at` is a time of `--day` (of the first day without it).
    let at = opts.at.or(opts.day.map(|d| lab.opening(d)));
    if let Some(at) = at
        && let Err(e) = lab.check_time(day, at)
    {
        errln!("error: --at {e}");
        return ExitCode::from(2);
    }
    let target = at.map(|at| f64::from(day - 1) * crate::sim::calendar::DAY + at);
    // A session log belongs to one store: it replays into the first one shown.
    if let Some(log) = &opts.replay {
        let store = &mut lab.stores[0];
        store.sim = log.replay(&store.scenario, target.unwrap_or(lab.clock));
        store.log = log.clone();
    }
    if let Some(t) = target {
        lab.advance_to(t);
    }
    let controls = ControlState {
        playing: false,
        speed: lab.speed,
        times: 60.0,
        seed: lab.stores[0].seed(),
        heatmap: false,
        multiplier: lab.stores[0].scenario.customers.arrival_multiplier,
        clock: String::new(),
        finished: lab.finished(),
    };
    let n = lab.stores.len();
    let title = lab
        .stores
        .iter()
        .map(|s| s.scenario.name.clone())
        .collect::<Vec<_>>()
        .join("  vs  ");
    let scenario_files = scenario_files(&opts.scenarios);
    let mut app = App::new();
    let window = DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: format!("storelab — {title}"),
            resolution: WindowResolution::new(1600, 1000),
            present_mode: PresentMode::AutoVsync,
            ..default()
        }),
        ..default()
    });
    if let Err(why) = add_quietly(&mut app, window) {
        errln!(
            "error: cannot open the window: {why}\n\
             On a machine without a screen, `xvfb-run -a storelab gui SCENARIO --at HH:MM \
             --screenshot FILE.png` renders the view into a picture, and `storelab run` \
             needs no window at all."
        );
        return ExitCode::from(1);
    }
    app.add_plugins(EguiPlugin::default())
        .insert_resource(LabRes(lab))
        .insert_resource(ViewState {
            cameras: vec![Camera::default(); n],
            selection: None,
            controls,
            heatmap: false,
            message: None,
            scenario_files,
        })
        .add_systems(Startup, |mut commands: Commands| {
            commands.spawn(Camera2d);
        })
        .add_systems(Update, advance)
        .add_systems(EguiPrimaryContextPass, ui);
    if let Some(path) = opts.screenshot {
        app.insert_resource(ScreenshotPlan {
            path,
            frames: opts.frames,
            taken: false,
            saved_at_frame: None,
            frame: 0,
        })
        .add_systems(Update, screenshot);
    }
    match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(_) => ExitCode::from(1),
    }
}

/// Adds the window plugins, turning a failure to reach a display (winit panics while
/// building its event loop) into an error message instead of a panic with a backtrace.
fn add_quietly(app: &mut App, plugins: impl PluginGroup) -> Result<(), String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        app.add_plugins(plugins);
    }));
    std::panic::set_hook(hook);
    result.map_err(|payload| {
        let text = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the windowing system failed".into());
        // winit's message ends with its OS error; the reason is the readable part.
        if text.contains("XOpenDisplayFailed") {
            let display = std::env::var("DISPLAY").unwrap_or_default();
            return format!("no X server answers at DISPLAY={display}");
        }
        match text.split_once("Misc(\"") {
            Some((_, rest)) => rest.split('"').next().unwrap_or(&text).to_string(),
            None => text,
        }
    })
}

/// The `.ron` files beside the given scenarios, for the picker.
fn scenario_files(given: &[PathBuf]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = given.to_vec();
    for dir in given.iter().filter_map(|p| p.parent()) {
        if let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            dir
        }) {
            files.extend(
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "ron")),
            );
        }
    }
    files.sort();
    files.dedup();
    files
}

fn advance(mut lab: ResMut<LabRes>, time: Res<Time>, shot: Option<Res<ScreenshotPlan>>) {
    if shot.is_some() {
        return;
    }
    let lab = &mut lab.0;
    lab.reload_changed();
    lab.tick(f64::from(time.delta_secs()));
}

fn screenshot(
    mut commands: Commands,
    mut plan: ResMut<ScreenshotPlan>,
    mut exit: MessageWriter<AppExit>,
) {
    plan.frame += 1;
    if !plan.taken && plan.frame >= plan.frames {
        plan.taken = true;
        commands
            .spawn(Screenshot::primary_window())
            .observe(save_to_disk(plan.path.clone()));
    }
    if plan.taken && plan.saved_at_frame.is_none() && plan.path.exists() {
        plan.saved_at_frame = Some(plan.frame);
    }
    // A few frames after the file appears, it is complete (written by the observer).
    if plan.saved_at_frame.is_some_and(|f| plan.frame > f + 3) || plan.frame > plan.frames + 600 {
        exit.write(if plan.path.exists() {
            AppExit::Success
        } else {
            AppExit::from_code(1)
        });
    }
}

fn ui(mut contexts: EguiContexts, mut lab: ResMut<LabRes>, mut view: ResMut<ViewState>) -> Result {
    let ctx = contexts.ctx_mut()?;
    let lab = &mut lab.0;
    let view = &mut *view;
    let (open, close) = lab.hours();
    // A run over days shows its day; the clock is the time of that day.
    let first = &lab.stores[0].sim;
    let day = first
        .days()
        .map(|d| {
            let c = d.calendar();
            format!(
                "day {} ({:?}) of {}  ",
                d.day() + 1,
                c.first_weekday.plus(d.day()),
                c.days
            )
        })
        .unwrap_or_default();
    view.controls.clock = format!(
        "{day}{}{}",
        format_clock(first.local(lab.clock)),
        if lab.clock < open {
            "  (before opening)"
        } else if lab.clock >= close {
            "  (doors closed)"
        } else {
            ""
        }
    );
    view.controls.playing = lab.playing;
    view.controls.finished = lab.finished();
    let mut actions = Vec::new();
    // egui 0.36 panels live in a parent Ui: one spanning the window, behind everything.
    let mut root = egui::Ui::new(
        ctx.clone(),
        "storelab-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    let root = &mut root;
    egui::Panel::top("controls").show(root, |ui| {
        actions.extend(panels::controls_ui(ui, &mut view.controls));
        ui.horizontal(|ui| {
            for (i, store) in lab.stores.iter().enumerate() {
                let label = if lab.stores.len() == 2 {
                    ["A", "B"][i]
                } else {
                    "Scenario"
                };
                let mut chosen: Option<PathBuf> = None;
                egui::ComboBox::from_id_salt(("picker", i))
                    .selected_text(format!("{label}: {}", store.path.display()))
                    .show_ui(ui, |ui| {
                        for f in &view.scenario_files {
                            if ui
                                .selectable_label(*f == store.path, f.display().to_string())
                                .clicked()
                            {
                                chosen = Some(f.clone());
                            }
                        }
                    });
                if let Some(path) = chosen {
                    actions.push(Action::Open { store: i, path });
                }
            }
            panels::legend_ui(ui);
        });
    });
    let names: Vec<String> = lab.stores.iter().map(|s| s.scenario.name.clone()).collect();
    egui::Panel::left("kpis")
        .default_size(330.0)
        .show(root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.heading("Live KPIs");
                let kpis: Vec<LiveKpis> = lab
                    .stores
                    .iter()
                    .map(|s| LiveKpis::of(s.sim.world()))
                    .collect();
                panels::kpis_ui(ui, &names, &kpis);
                ui.separator();
                let rows: Vec<&[crate::sim::calendar::DayRow]> = lab
                    .stores
                    .iter()
                    .filter_map(|s| s.sim.days().map(|d| d.rows()))
                    .collect();
                if rows.len() == lab.stores.len() {
                    panels::days_ui(ui, &names, &rows);
                    ui.separator();
                }
                ui.heading("Steer");
                let switches: Vec<(String, Vec<panels::LaneSwitch>, Option<u32>)> = lab
                    .stores
                    .iter()
                    .map(|s| {
                        (
                            s.scenario.name.clone(),
                            panels::lane_switches(s.sim.world()),
                            panels::policy_threshold(s.sim.world()),
                        )
                    })
                    .collect();
                actions.extend(panels::steering_ui(
                    ui,
                    &mut view.controls.multiplier,
                    &switches,
                ));
                let recorded: usize = lab.stores.iter().map(|s| s.log.commands.len()).sum();
                ui.label(format!("{recorded} change(s) recorded this session"));
                for store in &lab.stores {
                    if let Some(e) = &store.error {
                        ui.separator();
                        ui.colored_label(
                            egui::Color32::RED,
                            format!(
                                "{} does not load; still showing the last good run:",
                                store.path.display()
                            ),
                        );
                        ui.monospace(e);
                    }
                }
                if let Some(m) = &view.message {
                    ui.separator();
                    ui.label(m);
                }
            });
        });
    egui::Panel::bottom("charts")
        .resizable(true)
        .default_size(240.0)
        .show(root, |ui| {
            let worlds: Vec<&World> = lab.stores.iter().map(|s| s.sim.world()).collect();
            panels::charts_ui(ui, &names, &worlds);
        });
    if let Some((store, sel)) = view.selection {
        egui::Panel::right("inspector")
            .default_size(300.0)
            .show(root, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    if lab.stores.len() == 2 {
                        ui.label(format!("in {}", names[store]));
                    }
                    if let Some(s) = lab.stores.get(store) {
                        panels::inspector_ui(ui, s.sim.world(), sel, s.sim.local(lab.clock));
                    }
                    if ui.button("Close").clicked() {
                        view.selection = None;
                    }
                });
            });
    }
    egui::CentralPanel::default().show(root, |ui| {
        let n = lab.stores.len();
        let width = ui.available_width() / n as f32;
        ui.horizontal_top(|ui| {
            for i in 0..n {
                ui.allocate_ui(egui::vec2(width - 4.0, ui.available_height()), |ui| {
                    ui.vertical(|ui| {
                        if n == 2 {
                            ui.strong(format!("{}: {}", ["A", "B"][i], names[i]));
                        }
                        let selected = view.selection.filter(|(s, _)| *s == i).map(|(_, sel)| sel);
                        if let Some(clicked) = floor::floor_view(
                            ui,
                            lab.stores[i].sim.world(),
                            lab.stores[i].sim.local(lab.clock),
                            &mut view.cameras[i],
                            view.heatmap,
                            selected,
                        ) {
                            view.selection = clicked.map(|s| (i, s));
                        }
                    });
                });
            }
        });
    });
    for a in actions {
        apply(lab, view, a);
    }
    if lab.playing {
        ctx.request_repaint();
    }
    Ok(())
}

fn apply(lab: &mut Lab, view: &mut ViewState, action: Action) {
    match action {
        Action::Play => lab.playing = true,
        Action::Pause => lab.playing = false,
        Action::Step => lab.step(),
        Action::SetSpeed(s) => lab.speed = s,
        Action::Restart { seed } => {
            view.message = lab.restart(seed).err();
            view.selection = None;
        }
        Action::ToggleHeatmap => view.heatmap = view.controls.heatmap,
        Action::SetLaneOpen { store, lane, open } => {
            lab.command(store, Command::SetLaneOpen { lane, open })
        }
        Action::SetArrivalMultiplier(m) => lab.command_all(Command::SetArrivalMultiplier(m)),
        Action::SetMaxWaiting { store, max_waiting } => {
            lab.command(store, Command::SetMaxWaiting(max_waiting))
        }
        Action::SaveLog => {
            let mut saved = Vec::new();
            for (i, s) in lab.stores.iter().enumerate() {
                let path = PathBuf::from(format!("storelab-session-{}.ron", i + 1));
                match s.log.save(&path) {
                    Ok(()) => saved.push(path.display().to_string()),
                    Err(e) => saved.push(format!("{}: {e}", path.display())),
                }
            }
            view.message = Some(format!(
                "saved {} (replay with storelab gui SCENARIO --replay FILE)",
                saved.join(", ")
            ));
        }
        Action::Open { store, path } => {
            view.message = lab.switch(store, &path).err();
            view.cameras[store] = Camera::default();
            view.selection = None;
        }
    }
}
