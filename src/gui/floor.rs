//! The top-down store view: floor plan, shelves shaded by stock, lanes, customers and staff
//! at their interpolated positions, the heatmap overlay, picking, pan and zoom.
//!
//! Reads the simulation's world only; positions between events come from
//! [`FloorPlan::position_at`] (walks) and from queue order (queues line up behind the lane).
//! Units: metres in the plan, pixels on screen.

use bevy::prelude::World;
use bevy_egui::egui::{self, Color32, Pos2, Rect, Sense, Stroke, Vec2};

use crate::checkout::{Checkout, CheckoutQueue, Lane};
use crate::customer::{Customer, Phase};
use crate::navigation::{CellKind, FloorPlan, Heatmap, Motion};
use crate::shopping::{Catalog, Shelf};
use crate::staff::{Role, StaffMember};

/// What the user clicked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Customer(u32),
    Lane(u16),
    Shelf(u16),
    Staff(u32),
}

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

/// A customer's or staff member's place and colour at the shown time.
pub struct Marker {
    pub pos: (f64, f64),
    pub color: Color32,
    pub selection: Selection,
    pub staff: bool,
}

/// Where everybody is at time `t`.
pub fn markers(world: &World, plan: &FloorPlan, t: f64) -> Vec<Marker> {
    let mut out = Vec::new();
    let checkout = world.resource::<Checkout>();
    // Queue slots: the n-th waiting customer stands n + 1 steps behind the service point.
    let mut slot: std::collections::BTreeMap<u32, (f64, f64)> = Default::default();
    let ids: std::collections::BTreeMap<bevy::prelude::Entity, u32> = {
        let mut qe = world
            .try_query::<(bevy::prelude::Entity, &Customer)>()
            .expect("customers registered");
        qe.iter(world).map(|(e, c)| (e, c.id)).collect()
    };
    for &qe in &checkout.queues {
        let Some(q) = world.get::<CheckoutQueue>(qe) else {
            continue;
        };
        let Some(&first) = q.lanes.first() else {
            continue;
        };
        let lane = &plan.lanes[first as usize];
        let (sx, sy) = plan.cell_centre(plan.pois[lane.service_point as usize]);
        let (dx, dy) = lane.queue_direction;
        let step = 0.6;
        for (k, e) in q.waiting.iter().enumerate() {
            if let Some(&id) = ids.get(e) {
                let d = step * (k + 1) as f64;
                slot.insert(id, (sx + f64::from(dx) * d, sy + f64::from(dy) * d));
            }
        }
    }
    let mut with_motion = world
        .try_query::<(&Customer, &Motion)>()
        .expect("customers registered");
    for (c, m) in with_motion.iter(world) {
        let (pos, color) = match c.phase {
            Phase::Queueing { .. } => (
                slot.get(&c.id)
                    .copied()
                    .unwrap_or_else(|| plan.position_at(m, t)),
                QUEUEING,
            ),
            Phase::InService { .. } => (plan.position_at(m, t), IN_SERVICE),
            Phase::Leaving => (plan.position_at(m, t), LEAVING),
            // Before departing, a shopper stands at the shelf it just reached: picking.
            Phase::Shopping => (
                plan.position_at(m, t),
                if t < m.depart { PICKING } else { WALKING },
            ),
        };
        out.push(Marker {
            pos,
            color,
            selection: Selection::Customer(c.id),
            staff: false,
        });
    }
    let mut staff = world
        .try_query::<(&StaffMember, &Motion)>()
        .expect("staff registered");
    for (s, m) in staff.iter(world) {
        let (x, y) = plan.position_at(m, t);
        let (pos, color) = match s.role {
            // Cashiers sit on the other side of the till from the customer.
            Role::Cashier { lane } => {
                let l = &plan.lanes[lane as usize];
                let (cx, cy) = plan.cell_centre(l.cell);
                let (dx, dy) = l.queue_direction;
                (
                    (
                        cx - f64::from(dx) * 0.3 * plan.cell_size,
                        cy - f64::from(dy) * 0.3 * plan.cell_size,
                    ),
                    CASHIER,
                )
            }
            Role::Restocker => ((x, y), RESTOCKER),
        };
        out.push(Marker {
            pos,
            color,
            selection: Selection::Staff(s.id),
            staff: true,
        });
    }
    // Draw order must not depend on query order: sort by kind and id.
    out.sort_by_key(|m| match m.selection {
        Selection::Customer(id) => (0, id),
        Selection::Staff(id) => (1, id),
        _ => (2, 0),
    });
    out
}

/// Share of the shelf's capacity in stock (all its products together), and whether any of its
/// products is out of stock.
fn shelf_fill(world: &World, shelf: usize) -> (f32, bool) {
    let catalog = world.resource::<Catalog>();
    let Some(s) = catalog
        .shelves
        .get(shelf)
        .and_then(|&e| world.get::<Shelf>(e))
    else {
        return (1.0, false);
    };
    let stock: u32 = s.slots.iter().map(|slot| slot.on_shelf).sum();
    let capacity: u32 = s.slots.iter().map(|slot| slot.capacity).sum();
    (
        stock as f32 / capacity.max(1) as f32,
        s.slots.iter().any(|slot| slot.on_shelf == 0),
    )
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
    let heat = world.resource::<Heatmap>();
    let max_heat = heat.seconds.iter().copied().fold(0.0f64, f64::max);
    let checkout = world.resource::<Checkout>();
    let fills: Vec<(f32, bool)> = (0..plan.shelves.len())
        .map(|s| shelf_fill(world, s))
        .collect();
    for (c, kind) in plan.cells.iter().enumerate() {
        let (x, y) = plan.xy(c as u32);
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
            CellKind::Shelf(s) => lerp(SHELF_EMPTY, SHELF_FULL, fills[*s as usize].0 * 2.0),
            CellKind::Checkout(l) => {
                let lane = world.get::<Lane>(checkout.lanes[*l as usize]);
                match lane {
                    Some(l) if !l.open => Color32::from_rgb(150, 150, 160),
                    Some(l) if l.serving.is_some() => Color32::from_rgb(30, 70, 200),
                    _ => Color32::from_rgb(90, 170, 230),
                }
            }
        };
        painter.rect_filled(r, 0.0, color);
        if let CellKind::Shelf(s) = kind
            && fills[*s as usize].1
        {
            painter.rect_stroke(
                r,
                0.0,
                Stroke::new(1.5, SHELF_EMPTY),
                egui::StrokeKind::Inside,
            );
        }
        if heatmap && kind.walkable() && max_heat > 0.0 && heat.seconds[c] > 0.0 {
            let v = ((1.0 + heat.seconds[c]).ln() / (1.0 + max_heat).ln()) as f32;
            painter.rect_filled(r, 0.0, heat_color(v));
        }
    }
    let markers = markers(world, plan, t);
    let radius = (0.3 * camera.zoom * cs as f32).max(2.5);
    for m in &markers {
        let p = to_screen(m.pos, rect, camera);
        if m.staff {
            painter.rect_filled(
                Rect::from_center_size(p, Vec2::splat(radius * 2.0)),
                1.0,
                m.color,
            );
        } else {
            painter.circle_filled(p, radius, m.color);
        }
        if Some(m.selection) == selected {
            painter.circle_stroke(p, radius + 3.0, Stroke::new(2.0, Color32::BLACK));
        }
    }
    if let Some(Selection::Lane(l)) | Some(Selection::Shelf(l)) = selected {
        let cells: Vec<u32> = match selected {
            Some(Selection::Lane(_)) => vec![plan.lanes[l as usize].cell],
            _ => plan.shelves[l as usize].cells.clone(),
        };
        for c in cells {
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
        return Some(pick(plan, &markers, to_plan(pos, rect, camera), cs));
    }
    None
}

/// What is at plan point `p`: the nearest marker within half a metre, else the cell's shelf or
/// lane.
pub fn pick(
    plan: &FloorPlan,
    markers: &[Marker],
    p: (f64, f64),
    cell_size: f64,
) -> Option<Selection> {
    let near = markers
        .iter()
        .map(|m| (m, (m.pos.0 - p.0).hypot(m.pos.1 - p.1)))
        .filter(|(_, d)| *d <= 0.5 * cell_size.max(1.0))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((m, _)) = near {
        return Some(m.selection);
    }
    let (x, y) = ((p.0 / cell_size).floor(), (p.1 / cell_size).floor());
    if x < 0.0 || y < 0.0 || x >= f64::from(plan.width) || y >= f64::from(plan.height) {
        return None;
    }
    match plan.cells[(y as u32 * plan.width + x as u32) as usize] {
        CellKind::Shelf(s) => Some(Selection::Shelf(s)),
        CellKind::Checkout(l) => Some(Selection::Lane(l)),
        _ => None,
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
