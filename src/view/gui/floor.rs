//! The top-down store view: floor plan, shelves shaded by stock, lanes, customers and staff
//! at their interpolated positions, the heatmap overlay, picking, pan and zoom.
//!
//! Paints the plain [`DrawData`] the simulation hands out (lanes, shelves, people at their
//! positions) over the floor plan's cells; a click is resolved by [`hit_test`] on the same
//! data. Units: metres in the plan, pixels on screen.

use bevy::prelude::World;
use bevy_egui::egui::{self, Color32, Pos2, Rect, Sense, Stroke, Vec2};

use crate::ids::{CellId, Id};
use crate::scenario::floor_plan::{CellKind, FloorPlan};
use crate::sim::movement::Navigation;
use crate::view::model::{Activity, DrawData, LaneState, Selection, hit_test};

/// Pan and zoom of one floor view.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Camera {
    /// Plan point (metres) at the top-left of the view.
    pub offset: (f64, f64),
    /// Pixels per metre; 0 until fitted.
    pub zoom: f32,
    /// Until the user pans or zooms, the plan is fitted to the view (also after a resize).
    pub moved: bool,
    fitted: (f32, f32),
}

/// Colours of customer states (also the legend).
pub const WALKING: Color32 = Color32::from_rgb(30, 110, 220);
pub const PICKING: Color32 = Color32::from_rgb(240, 150, 20);
pub const QUEUEING: Color32 = Color32::from_rgb(220, 40, 40);
pub const IN_SERVICE: Color32 = Color32::from_rgb(150, 50, 200);
pub const LEAVING: Color32 = Color32::from_rgb(120, 120, 120);
pub const SHELF_FULL: Color32 = Color32::from_rgb(205, 170, 110);
pub const SHELF_EMPTY: Color32 = Color32::from_rgb(200, 40, 30);
pub const CASHIER: Color32 = Color32::from_rgb(20, 120, 60);
pub const RESTOCKER: Color32 = Color32::from_rgb(130, 80, 30);
pub const ATTENDANT: Color32 = Color32::from_rgb(0, 150, 150);

/// The colour of a person's activity.
pub fn activity_color(a: Activity) -> Color32 {
    match a {
        Activity::Walking => WALKING,
        Activity::Picking => PICKING,
        Activity::Queueing => QUEUEING,
        Activity::InService => IN_SERVICE,
        Activity::Leaving => LEAVING,
        Activity::Cashier => CASHIER,
        Activity::Restocker => RESTOCKER,
        Activity::Attendant => ATTENDANT,
    }
}

fn lerp(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t) as u8;
    Color32::from_rgb(m(a.r(), b.r()), m(a.g(), b.g()), m(a.b(), b.b()))
}

/// Heat colour: transparent blue through yellow to red.
fn heat_color(t: f32) -> Color32 {
    let c = if t < 0.5 {
        lerp(
            Color32::from_rgb(40, 80, 220),
            Color32::from_rgb(250, 220, 40),
            t * 2.0,
        )
    } else {
        lerp(
            Color32::from_rgb(250, 220, 40),
            Color32::from_rgb(220, 30, 30),
            (t - 0.5) * 2.0,
        )
    };
    Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), 150)
}

/// Draws one store into `ui` and handles pan, zoom and picking. Returns `Some(selection)` when
/// the user clicked (`Some(None)`: on nothing selectable).
pub fn floor_view(
    ui: &mut egui::Ui,
    world: &World,
    t: f64,
    camera: &mut Camera,
    heatmap: bool,
    selected: Option<Selection>,
) -> Option<Option<Selection>> {
    let plan = world.resource::<FloorPlan>();
    let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
    // The painter may extend past the panel; fit to what is visible.
    let rect = response.rect.intersect(ui.clip_rect());
    let (w_m, h_m) = (
        f64::from(plan.width) * plan.cell_size,
        f64::from(plan.height) * plan.cell_size,
    );
    if !camera.moved && camera.fitted != (rect.width(), rect.height()) {
        camera.zoom = ((rect.width() / w_m as f32).min(rect.height() / h_m as f32) * 0.98).max(1.0);
        // Centre the plan in the view.
        camera.offset = (
            (w_m - f64::from(rect.width() / camera.zoom)) / 2.0,
            (h_m - f64::from(rect.height() / camera.zoom)) / 2.0,
        );
        camera.fitted = (rect.width(), rect.height());
    }
    // Pan: drag or arrow keys; zoom: scroll or +/- around the pointer (or the centre).
    if response.dragged() {
        camera.moved = true;
        let d = response.drag_delta();
        camera.offset.0 -= f64::from(d.x / camera.zoom);
        camera.offset.1 -= f64::from(d.y / camera.zoom);
    }
    let (scroll, keys) = ui.input(|i| {
        let mut k = (0.0f64, 0.0f64, 1.0f32);
        if i.key_down(egui::Key::ArrowLeft) {
            k.0 -= 1.0;
        }
        if i.key_down(egui::Key::ArrowRight) {
            k.0 += 1.0;
        }
        if i.key_down(egui::Key::ArrowUp) {
            k.1 -= 1.0;
        }
        if i.key_down(egui::Key::ArrowDown) {
            k.1 += 1.0;
        }
        if i.key_pressed(egui::Key::Plus) || i.key_pressed(egui::Key::Equals) {
            k.2 *= 1.2;
        }
        if i.key_pressed(egui::Key::Minus) {
            k.2 /= 1.2;
        }
        (i.smooth_scroll_delta.y, k)
    });
    if keys.0 != 0.0 || keys.1 != 0.0 {
        camera.moved = true;
        camera.offset.0 += keys.0 * 10.0 / f64::from(camera.zoom);
        camera.offset.1 += keys.1 * 10.0 / f64::from(camera.zoom);
    }
    let hovered = response.hovered();
    let factor = if hovered { (scroll / 300.0).exp() } else { 1.0 } * keys.2;
    if factor != 1.0 {
        camera.moved = true;
        let anchor = response.hover_pos().unwrap_or(rect.center());
        let before = to_plan(anchor, rect, camera);
        camera.zoom = (camera.zoom * factor).clamp(1.0, 400.0);
        let after = to_plan(anchor, rect, camera);
        camera.offset.0 += before.0 - after.0;
        camera.offset.1 += before.1 - after.1;
    }
    let painter = painter.with_clip_rect(rect);
    painter.rect_filled(rect, 0.0, Color32::from_rgb(235, 235, 230));
    let cs = plan.cell_size;
    let heat = &world.resource::<Navigation>().heat;
    let max_heat = heat.seconds.iter().copied().fold(0.0f64, f64::max);
    let draw = DrawData::of(world, t);
    for (c, kind) in plan.cells.iter_enumerated() {
        let (x, y) = plan.xy(c);
        let min = to_screen((f64::from(x) * cs, f64::from(y) * cs), rect, camera);
        let max = to_screen((f64::from(x + 1) * cs, f64::from(y + 1) * cs), rect, camera);
        let r = Rect::from_min_max(min, max);
        if !r.intersects(rect) {
            continue;
        }
        let color = match kind {
            CellKind::Wall => Color32::from_rgb(60, 60, 66),
            CellKind::Floor => Color32::from_rgb(248, 247, 242),
            CellKind::Entrance => Color32::from_rgb(120, 200, 120),
            CellKind::Exit => Color32::from_rgb(230, 120, 110),
            CellKind::Backroom => Color32::from_rgb(170, 160, 150),
            // Shelves half full or more are tan; emptier ones turn red.
            CellKind::Shelf(s) => lerp(SHELF_EMPTY, SHELF_FULL, draw.shelves[*s].fill * 2.0),
            CellKind::Checkout(l) => match draw.lanes[*l].state {
                LaneState::Closed => Color32::from_rgb(150, 150, 160),
                LaneState::Busy => Color32::from_rgb(30, 70, 200),
                LaneState::Idle => Color32::from_rgb(90, 170, 230),
                LaneState::Stopped => Color32::from_rgb(240, 120, 0),
            },
        };
        painter.rect_filled(r, 0.0, color);
        // Scan & go points and gates carry their letter, so they read apart from tills.
        if let CellKind::Checkout(l) = kind
            && let Some(letter) = lane_letter(draw.lanes[*l].kind)
            && r.width() >= 8.0
        {
            painter.text(
                r.center(),
                egui::Align2::CENTER_CENTER,
                letter,
                egui::FontId::proportional(r.height() * 0.8),
                Color32::WHITE,
            );
        }
        if let CellKind::Shelf(s) = kind
            && draw.shelves[*s].any_empty
        {
            painter.rect_stroke(
                r,
                0.0,
                Stroke::new(1.5, SHELF_EMPTY),
                egui::StrokeKind::Inside,
            );
        }
        if heatmap && kind.walkable() && max_heat > 0.0 && heat.seconds[c.index()] > 0.0 {
            let v = ((1.0 + heat.seconds[c.index()]).ln() / (1.0 + max_heat).ln()) as f32;
            painter.rect_filled(r, 0.0, heat_color(v));
        }
    }
    let radius = (0.3 * camera.zoom * cs as f32).max(2.5);
    for m in &draw.people {
        let p = to_screen(m.pos, rect, camera);
        let color = activity_color(m.activity);
        if m.is_staff() {
            painter.rect_filled(
                Rect::from_center_size(p, Vec2::splat(radius * 2.0)),
                1.0,
                color,
            );
        } else {
            painter.circle_filled(p, radius, color);
        }
        if Some(m.who) == selected {
            painter.circle_stroke(p, radius + 3.0, Stroke::new(2.0, Color32::BLACK));
        }
    }
    let outlined: Vec<CellId> = match selected {
        Some(Selection::Lane(l)) => vec![draw.lanes[l].cell],
        Some(Selection::Shelf(s)) => draw.shelves[s].cells.clone(),
        _ => Vec::new(),
    };
    {
        for c in outlined {
            let (x, y) = plan.xy(c);
            let min = to_screen((f64::from(x) * cs, f64::from(y) * cs), rect, camera);
            let max = to_screen((f64::from(x + 1) * cs, f64::from(y + 1) * cs), rect, camera);
            painter.rect_stroke(
                Rect::from_min_max(min, max),
                0.0,
                Stroke::new(2.0, Color32::BLACK),
                egui::StrokeKind::Inside,
            );
        }
    }
    if response.clicked()
        && let Some(pos) = response.interact_pointer_pos()
    {
        return Some(hit_test(plan, &draw, to_plan(pos, rect, camera)));
    }
    None
}

/// The letter drawn on a lane of a digital checkout kind (none on tills and self-checkouts).
fn lane_letter(kind: crate::scenario::LaneKind) -> Option<&'static str> {
    use crate::scenario::LaneKind;
    match kind {
        LaneKind::Staffed | LaneKind::SelfCheckout => None,
        LaneKind::PaymentPoint => Some("P"),
        LaneKind::Audit => Some("A"),
        LaneKind::Gate => Some("G"),
        LaneKind::EntryGate => Some("I"),
    }
}

fn to_screen(p: (f64, f64), rect: Rect, cam: &Camera) -> Pos2 {
    Pos2::new(
        rect.min.x + ((p.0 - cam.offset.0) as f32) * cam.zoom,
        rect.min.y + ((p.1 - cam.offset.1) as f32) * cam.zoom,
    )
}

fn to_plan(p: Pos2, rect: Rect, cam: &Camera) -> (f64, f64) {
    (
        cam.offset.0 + f64::from((p.x - rect.min.x) / cam.zoom),
        cam.offset.1 + f64::from((p.y - rect.min.y) / cam.zoom),
    )
}
