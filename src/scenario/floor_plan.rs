//! Navigation: the floor plan as a grid, shortest walking distances and paths.
//!
//! Models: people walk on floor, entrance and exit cells, in 8 directions, never through walls,
//! shelves, checkouts or the backroom, and never cutting a blocked corner. Distances are metres
//! (a straight step is `cell_size`, a diagonal step `cell_size·√2`). Distances from every point
//! of interest (entrances, exits, shelf access cells, lane service cells, the backroom door) to
//! every cell are computed once with Dijkstra on the grid, so a walk during the
//! simulation is a table look-up: one timed move between two points, which a view interpolates
//! along [`FloorPlan::path`].
//!
//! Units: metres, seconds, cells (x to the right, y downwards, as the rows are written).

use std::sync::Arc;

use bevy::prelude::*;

use crate::error::Problem;
use crate::scenario::{Layout, LegendEntry};

pub use crate::ids::{CellId, PoiId};
use crate::ids::{Id, IdVec, LaneId, ShelfId};

/// Largest floor plan accepted, in cells (e.g. 250 × 160 cells of 0.5 m = 125 m × 80 m).
pub const MAX_CELLS: usize = 40_000;
/// Largest number of points of interest (shelves + lanes + doors) accepted.
pub const MAX_POIS: usize = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Wall,
    Floor,
    Entrance,
    Exit,
    Backroom,
    /// Part of this shelf.
    Shelf(ShelfId),
    /// This checkout lane.
    Checkout(LaneId),
}

impl CellKind {
    pub fn walkable(self) -> bool {
        matches!(self, CellKind::Floor | CellKind::Entrance | CellKind::Exit)
    }
}

/// A shelf as drawn: its cells and the floor cell shoppers stand on to pick.
#[derive(Clone, Debug)]
pub struct ShelfGeom {
    pub id: String,
    pub cells: Vec<CellId>,
    pub access: PoiId,
}

/// A checkout lane as drawn: its cell, its group and the floor cell where a customer is served
/// (the queue lines up behind it).
#[derive(Clone, Debug)]
pub struct LaneGeom {
    pub group: String,
    /// 1-based number within its group, in reading order.
    pub number: u32,
    pub cell: CellId,
    pub service_point: PoiId,
    /// Unit step (dx, dy) from the service point away from the lane: where the queue grows.
    pub queue_direction: (i32, i32),
    /// Its group and number, `till-3`: made once (every customer's record names its lane).
    pub(crate) name: crate::ids::Name,
}

impl LaneGeom {
    /// The lane's name everywhere (outputs, view, commands): its group and number, `till-3`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The parsed floor plan with its distance tables. Immutable during a run.
#[derive(Resource, Clone, Debug)]
pub struct FloorPlan {
    pub width: u32,
    pub height: u32,
    pub cell_size: f64,
    pub cells: IdVec<CellId, CellKind>,
    pub shelves: IdVec<ShelfId, ShelfGeom>,
    /// Lanes by [`LaneId`]: lane groups in id order (as `checkouts.groups` lists them), within
    /// a group in reading order. The checkout numbers its lanes the same way.
    pub lanes: IdVec<LaneId, LaneGeom>,
    pub entrances: Vec<PoiId>,
    pub exits: Vec<PoiId>,
    /// Where restockers collect goods (a floor cell next to the backroom).
    pub backroom_door: Option<PoiId>,
    /// Cell of each point of interest.
    pub pois: IdVec<PoiId, CellId>,
    /// `dist[p][c]`: walking distance in metres from cell `c` to point `p` (∞ if unreachable).
    /// Shared (`Arc`): every replication of a store reuses the same tables.
    dist: IdVec<PoiId, Arc<[f32]>>,
    /// `toward[p][c]`: the next cell on a shortest path from `c` to point `p`.
    toward: IdVec<PoiId, Arc<[CellId]>>,
    /// `between[from · n + to]`: the same distances between points of interest, one dense
    /// table (route planning looks up every pair of a basket's stops); n² entries, 4 bytes
    /// each.
    between: Arc<[f32]>,
}

/// Marks a cell no walk goes through in the `toward` tables.
const NO_CELL: CellId = CellId(u32::MAX);

/// Cells × points from which the distance searches are shared among threads: below, handing
/// out the work costs more than it saves (a test's small plans stay on one thread).
const PARALLEL_TABLES_FROM: usize = 20_000;

const STRAIGHT: u32 = 1000;
const DIAGONAL: u32 = 1414;

/// The 8 steps (dx, dy) in the order Dijkstra tries them: row by row from the top left.
const STEPS: [(i32, i32); 8] = [
    (-1, -1),
    (0, -1),
    (1, -1),
    (-1, 0),
    (1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
];

impl FloorPlan {
    /// The floor plan of a scenario (its layout, with the lane groups' queue sides).
    pub fn of(scenario: &crate::scenario::Scenario) -> Result<FloorPlan, Vec<Problem>> {
        let sides = scenario
            .checkouts
            .groups
            .iter()
            .filter_map(|(id, g)| Some((id.clone(), g.queue_side?)))
            .collect();
        Self::build_with_sides(&scenario.layout, &sides)
    }

    /// Parses a layout. Returns every problem found (field paths under `layout`).
    pub fn build(layout: &Layout) -> Result<FloorPlan, Vec<Problem>> {
        Self::build_with_sides(layout, &Default::default())
    }

    /// [`FloorPlan::build`] with the queue side of some lane groups fixed.
    pub fn build_with_sides(
        layout: &Layout,
        sides: &std::collections::BTreeMap<String, crate::scenario::Side>,
    ) -> Result<FloorPlan, Vec<Problem>> {
        let mut problems = Vec::new();
        let height = layout.rows.len();
        let width = layout
            .rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0);
        if height == 0 || width == 0 {
            return Err(vec![Problem::new("layout.rows", "the floor plan is empty")]);
        }
        if width * height > MAX_CELLS {
            return Err(vec![Problem::new(
                "layout.rows",
                format!(
                    "the floor plan has {width} × {height} = {} cells; at most {MAX_CELLS} are supported (use a larger cell_size)",
                    width * height
                ),
            )]);
        }
        if !(layout.cell_size.is_finite() && (0.1..=10.0).contains(&layout.cell_size)) {
            problems.push(Problem::new(
                "layout.cell_size",
                format!(
                    "{} m is not a sensible cell size; use 0.1 to 10 m",
                    layout.cell_size
                ),
            ));
        }
        for (ch, entry) in &layout.legend {
            if builtin(*ch).is_some() {
                problems.push(Problem::new(
                    format!("layout.legend['{ch}']"),
                    format!(
                        "'{ch}' is a built-in character ({:?}) and cannot be redefined",
                        builtin(*ch).unwrap()
                    ),
                ));
            }
            if let LegendEntry::Shelf(s) | LegendEntry::Checkout(s) = entry
                && s.trim().is_empty()
            {
                problems.push(Problem::new(format!("layout.legend['{ch}']"), "empty id"));
            }
        }

        let mut cells: IdVec<CellId, CellKind> = vec![CellKind::Wall; width * height].into();
        let mut shelf_ids: Vec<String> = Vec::new();
        let mut shelf_cells: Vec<Vec<CellId>> = Vec::new();
        let mut lane_cells: Vec<(String, CellId)> = Vec::new();
        for (y, row) in layout.rows.iter().enumerate() {
            for (x, ch) in row.chars().enumerate() {
                let idx = CellId::from_index(y * width + x);
                let entry = match builtin(ch) {
                    Some(e) => e,
                    None => match layout.legend.get(&ch) {
                        Some(e) => e.clone(),
                        None => {
                            problems.push(Problem::new(
                                format!("layout.rows[{y}]"),
                                format!(
                                    "character '{ch}' at column {} is neither built in ({}) nor in the legend",
                                    x + 1,
                                    BUILTIN_HELP
                                ),
                            ));
                            continue;
                        }
                    },
                };
                cells[idx] = match entry {
                    LegendEntry::Wall => CellKind::Wall,
                    LegendEntry::Floor => CellKind::Floor,
                    LegendEntry::Entrance => CellKind::Entrance,
                    LegendEntry::Exit => CellKind::Exit,
                    LegendEntry::Backroom => CellKind::Backroom,
                    LegendEntry::Shelf(id) => {
                        let n = match shelf_ids.iter().position(|s| *s == id) {
                            Some(n) => n,
                            None => {
                                shelf_ids.push(id);
                                shelf_cells.push(Vec::new());
                                shelf_ids.len() - 1
                            }
                        };
                        shelf_cells[n].push(idx);
                        CellKind::Shelf(ShelfId::from_index(n))
                    }
                    LegendEntry::Checkout(group) => {
                        lane_cells.push((group, idx));
                        // Numbered below, once every lane is known.
                        CellKind::Wall
                    }
                };
            }
        }
        // One lane numbering for plan and checkout: groups in id order (a stable sort keeps
        // reading order within a group).
        lane_cells.sort_by(|a, b| a.0.cmp(&b.0));
        for (k, (_, cell)) in lane_cells.iter().enumerate() {
            cells[*cell] = CellKind::Checkout(LaneId::from_index(k));
        }
        let mut plan = FloorPlan {
            width: width as u32,
            height: height as u32,
            cell_size: layout.cell_size,
            cells,
            shelves: IdVec::new(),
            lanes: IdVec::new(),
            entrances: Vec::new(),
            exits: Vec::new(),
            backroom_door: None,
            pois: IdVec::new(),
            dist: IdVec::new(),
            toward: IdVec::new(),
            between: Arc::from([]),
        };
        let cells_of = |plan: &FloorPlan, kind: CellKind| -> Vec<CellId> {
            plan.cells
                .iter_enumerated()
                .filter(|&(_, k)| *k == kind)
                .map(|(c, _)| c)
                .collect()
        };
        let entrances = cells_of(&plan, CellKind::Entrance);
        let exits = cells_of(&plan, CellKind::Exit);
        if entrances.is_empty() {
            problems.push(Problem::new(
                "layout.rows",
                "no entrance: mark at least one cell 'E'",
            ));
        }
        if exits.is_empty() {
            problems.push(Problem::new(
                "layout.rows",
                "no exit: mark at least one cell 'X'",
            ));
        }
        if lane_cells.is_empty() {
            problems.push(Problem::new(
                "layout.rows",
                "no checkout: add a legend entry like 'c': Checkout(\"tills\") and draw it",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for e in entrances {
            let p = plan.add_poi(e);
            plan.entrances.push(p);
        }
        for x in exits {
            let p = plan.add_poi(x);
            plan.exits.push(p);
        }
        // Shelves: the walkable side cell nearest the shelf's centre.
        for (id, cs) in shelf_ids.into_iter().zip(shelf_cells) {
            let (cx, cy) = plan.centroid(&cs);
            let mut best: Option<(f64, CellId)> = None;
            for &c in &cs {
                for nb in plan.neighbours4(c) {
                    if plan.cells[nb].walkable() {
                        let (x, y) = plan.xy(nb);
                        let d = (f64::from(x) - cx).hypot(f64::from(y) - cy);
                        if best.is_none_or(|(bd, bc)| d < bd - 1e-9 || (d <= bd + 1e-9 && nb < bc))
                        {
                            best = Some((d, nb));
                        }
                    }
                }
            }
            match best {
                Some((_, access)) => {
                    let access = plan.add_poi(access);
                    plan.shelves.push(ShelfGeom {
                        id,
                        cells: cs,
                        access,
                    });
                }
                None => problems.push(Problem::new(
                    format!("layout.legend (shelf \"{id}\")"),
                    "no floor cell next to this shelf: nobody can pick from it",
                )),
            }
        }
        // Backroom door: the first walkable cell next to any backroom cell.
        let backroom = cells_of(&plan, CellKind::Backroom);
        if let Some(door) = backroom
            .iter()
            .flat_map(|&c| plan.neighbours4(c))
            .filter(|&nb| plan.cells[nb].walkable())
            .min()
        {
            plan.backroom_door = Some(plan.add_poi(door));
        }
        if plan.pois.len() + lane_cells.len() > MAX_POIS {
            problems.push(Problem::new(
                "layout.rows",
                format!(
                    "{} shelves, lanes and doors; at most {MAX_POIS} are supported",
                    plan.pois.len() + lane_cells.len()
                ),
            ));
            return Err(problems);
        }
        // Exits' distances are needed to tell the shop side of a checkout from the exit side.
        plan.compute_tables();
        let mut per_group: std::collections::BTreeMap<String, u32> = Default::default();
        for (group, cell) in lane_cells {
            let mut best: Option<(f32, i32, i32, CellId)> = None;
            let (x, y) = plan.xy(cell);
            let candidates: Vec<(i32, i32)> = match sides.get(&group) {
                Some(side) => vec![side.step()],
                None => vec![(0, -1), (-1, 0), (1, 0), (0, 1)],
            };
            for (dx, dy) in candidates {
                let Some(nb) = plan.offset(cell, dx, dy) else {
                    continue;
                };
                if !plan.cells[nb].walkable() {
                    continue;
                }
                let to_exit = plan
                    .exits
                    .iter()
                    .map(|&e| plan.dist[e][nb.index()])
                    .fold(f32::INFINITY, f32::min);
                let to_exit = if to_exit.is_finite() { to_exit } else { -1.0 };
                // Farthest from the exit is the shop side, where customers queue.
                if best.is_none_or(|(bd, ..)| to_exit > bd) {
                    best = Some((to_exit, dx, dy, nb));
                }
            }
            let number = per_group.entry(group.clone()).or_default();
            *number += 1;
            match best {
                Some((_, dx, dy, nb)) => {
                    let service_point = plan.add_poi(nb);
                    plan.lanes.push(LaneGeom {
                        name: format!("{group}-{number}").into(),
                        group,
                        number: *number,
                        cell,
                        service_point,
                        queue_direction: (dx, dy),
                    });
                }
                None => problems.push(Problem::new(
                    format!("layout.rows[{y}]"),
                    format!(
                        "checkout '{group}' at column {} has no floor cell beside it",
                        x + 1
                    ),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        plan.compute_tables();
        Ok(plan)
    }

    fn add_poi(&mut self, cell: CellId) -> PoiId {
        if let Some((p, _)) = self.pois.iter_enumerated().find(|&(_, &c)| c == cell) {
            return p;
        }
        self.pois.push(cell)
    }

    /// Dijkstra from every point of interest not yet tabled.
    fn compute_tables(&mut self) {
        let work = self.cells.len() * (self.pois.len() - self.dist.len());
        self.compute_tables_with(work >= PARALLEL_TABLES_FROM);
    }

    /// [`compute_tables`](Self::compute_tables), the searches shared among the threads of
    /// the current rayon pool when `parallel`.
    fn compute_tables_with(&mut self, parallel: bool) {
        let n = self.cells.len();
        let masks = self.step_masks();
        let (cell_size, width) = (self.cell_size, self.width);
        let starts: Vec<CellId> = (self.dist.len()..self.pois.len())
            .map(|p| self.pois[PoiId::from_index(p)])
            .collect();
        // One search per point, independent of the others; collected in point order, so
        // the tables do not depend on the number of threads.
        let one = |search: &mut Search, &start: &CellId| {
            let mut dist = vec![f32::INFINITY; n];
            let mut toward = vec![NO_CELL; n];
            search.run(&masks, width, start, |cell, parent, cost| {
                dist[cell.index()] = (f64::from(cost) / f64::from(STRAIGHT) * cell_size) as f32;
                toward[cell.index()] = parent;
            });
            (Arc::<[f32]>::from(dist), Arc::<[CellId]>::from(toward))
        };
        let tables: Vec<_> = if parallel {
            use rayon::prelude::*;
            starts.par_iter().map_init(|| Search::new(n), one).collect()
        } else {
            let mut search = Search::new(n);
            starts.iter().map(|s| one(&mut search, s)).collect()
        };
        for (dist, toward) in tables {
            self.dist.push(dist);
            self.toward.push(toward);
        }
        let n = self.pois.len();
        self.between = (0..n * n)
            .map(|k| {
                let (from, to) = (PoiId::from_index(k / n), PoiId::from_index(k % n));
                self.dist[to][self.pois[from].index()]
            })
            .collect();
    }

    /// For each cell, which of the 8 steps from it are allowed (bit `k` for [`STEPS`]`[k]`):
    /// onto a walkable cell, and diagonally only when both orthogonal neighbours are free
    /// (no cutting corners).
    fn step_masks(&self) -> Vec<u8> {
        let walkable = |c: CellId, dx, dy| {
            self.offset(c, dx, dy)
                .is_some_and(|nb| self.cells[nb].walkable())
        };
        (0..self.cells.len())
            .map(|i| {
                let c = CellId(i as u32);
                STEPS
                    .iter()
                    .enumerate()
                    .filter(|&(_, &(dx, dy))| {
                        walkable(c, dx, dy)
                            && (dx == 0 || dy == 0 || (walkable(c, dx, 0) && walkable(c, 0, dy)))
                    })
                    .fold(0u8, |mask, (k, _)| mask | 1 << k)
            })
            .collect()
    }

    pub fn xy(&self, c: CellId) -> (u32, u32) {
        (c.0 % self.width, c.0 / self.width)
    }

    pub fn offset(&self, c: CellId, dx: i32, dy: i32) -> Option<CellId> {
        let (x, y) = self.xy(c);
        let (nx, ny) = (x as i32 + dx, y as i32 + dy);
        if nx < 0 || ny < 0 || nx >= self.width as i32 || ny >= self.height as i32 {
            return None;
        }
        Some(CellId(ny as u32 * self.width + nx as u32))
    }

    fn neighbours4(&self, c: CellId) -> impl Iterator<Item = CellId> + '_ {
        [(0, -1), (-1, 0), (1, 0), (0, 1)]
            .into_iter()
            .filter_map(move |(dx, dy)| self.offset(c, dx, dy))
    }

    fn centroid(&self, cs: &[CellId]) -> (f64, f64) {
        let n = cs.len() as f64;
        let (sx, sy) = cs.iter().fold((0.0, 0.0), |(sx, sy), &c| {
            let (x, y) = self.xy(c);
            (sx + f64::from(x), sy + f64::from(y))
        });
        (sx / n, sy / n)
    }

    /// Walking distance in metres between two points of interest (∞ if unreachable).
    pub fn distance(&self, from: PoiId, to: PoiId) -> f64 {
        f64::from(self.between[from.index() * self.pois.len() + to.index()])
    }

    /// The walking distances from one point of interest, for many look-ups from it (its row
    /// of the table, found once).
    pub fn distances_from(&self, from: PoiId) -> DistancesFrom<'_> {
        let n = self.pois.len();
        DistancesFrom(&self.between[from.index() * n..(from.index() + 1) * n])
    }

    /// Walking distance in metres from any cell to a point of interest.
    pub fn distance_from_cell(&self, from: CellId, to: PoiId) -> f64 {
        f64::from(self.dist[to][from.index()])
    }

    /// The nearest of `candidates` from `from` (ties: the first listed).
    pub fn nearest(
        &self,
        from: PoiId,
        candidates: impl IntoIterator<Item = PoiId>,
    ) -> Option<PoiId> {
        // One distance look-up per candidate; a later one wins only when strictly nearer.
        let mut best: Option<(f64, PoiId)> = None;
        for c in candidates {
            let d = self.distance(from, c);
            if d.is_finite() && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, c));
            }
        }
        best.map(|(_, c)| c)
    }

    /// The cells of a shortest walk from `from` to `to`, both included.
    pub fn path(&self, from: PoiId, to: PoiId) -> Vec<CellId> {
        let mut out = Vec::new();
        self.walk(from, to, |c| out.push(c));
        out
    }

    /// Calls `visit` with each cell of a shortest walk from `from` to `to`, both included, and
    /// returns the number of cells (no allocation).
    pub fn walk(&self, from: PoiId, to: PoiId, mut visit: impl FnMut(CellId)) -> usize {
        let table = &self.toward[to];
        let target = self.pois[to];
        let mut c = self.pois[from];
        visit(c);
        let mut n = 1;
        while c != target {
            let next = table[c.index()];
            if next == NO_CELL || next == c {
                break;
            }
            c = next;
            visit(c);
            n += 1;
        }
        n
    }

    /// The point a share `share` (0 to 1) of the way along the shortest path from `from` to
    /// `to`, in metres from the top-left corner, moving at constant speed (equal time per cell,
    /// as the heatmap books it).
    pub fn point_along(&self, from: PoiId, to: PoiId, share: f64) -> (f64, f64) {
        if from == to || share >= 1.0 {
            return self.cell_centre(self.pois[to]);
        }
        if share <= 0.0 {
            return self.cell_centre(self.pois[from]);
        }
        let cells = self.walk(from, to, |_| {});
        if cells < 2 {
            return self.cell_centre(self.pois[to]);
        }
        let x = share * (cells - 1) as f64;
        let i = (x.floor() as usize).min(cells - 2);
        let frac = x - i as f64;
        let (mut a, mut b) = (NO_CELL, NO_CELL);
        let mut k = 0;
        self.walk(from, to, |c| {
            if k == i {
                a = c;
            }
            if k == i + 1 {
                b = c;
            }
            k += 1;
        });
        let (ax, ay) = self.cell_centre(a);
        let (bx, by) = self.cell_centre(b);
        (ax + (bx - ax) * frac, ay + (by - ay) * frac)
    }

    /// Centre of a cell in metres from the top-left corner of the plan.
    pub fn cell_centre(&self, c: CellId) -> (f64, f64) {
        let (x, y) = self.xy(c);
        (
            (f64::from(x) + 0.5) * self.cell_size,
            (f64::from(y) + 0.5) * self.cell_size,
        )
    }

    pub fn shelf_index(&self, id: &str) -> Option<ShelfId> {
        self.shelves
            .iter_enumerated()
            .find(|(_, s)| s.id == id)
            .map(|(i, _)| i)
    }

    /// Points of interest no entrance can reach.
    pub fn unreachable_from_entrances(&self, p: PoiId) -> bool {
        !self
            .entrances
            .iter()
            .any(|&e| self.distance(e, p).is_finite())
    }
}

const BUILTIN_HELP: &str = "'#' wall, '.' or ' ' floor, 'E' entrance, 'X' exit, 'R' backroom";

/// The characters every layout understands.
pub fn builtin(ch: char) -> Option<LegendEntry> {
    Some(match ch {
        '#' => LegendEntry::Wall,
        '.' | ' ' => LegendEntry::Floor,
        'E' => LegendEntry::Entrance,
        'X' => LegendEntry::Exit,
        'R' => LegendEntry::Backroom,
        _ => return None,
    })
}

/// A frontier entry of [`Search`]: ordered by cost alone, smallest first. Ties pop in the
/// order the binary heap gives them; equal-cost paths are then chosen the same way on every
/// run (the `pathfinding` crate's `dijkstra_reach`, which this replaced, orders them
/// identically, so the tables did not change).
struct Frontier {
    cost: u32,
    index: u32,
}

impl PartialEq for Frontier {
    fn eq(&self, other: &Self) -> bool {
        self.cost == other.cost
    }
}
impl Eq for Frontier {}
impl PartialOrd for Frontier {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Frontier {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.cost.cmp(&self.cost)
    }
}

/// The walking distances from one point of interest ([`FloorPlan::distances_from`]).
#[derive(Clone, Copy)]
pub struct DistancesFrom<'a>(&'a [f32]);

impl DistancesFrom<'_> {
    /// Walking distance in metres to `to` (∞ if unreachable): [`FloorPlan::distance`].
    pub fn to(self, to: PoiId) -> f64 {
        f64::from(self.0[to.index()])
    }
}

/// Dijkstra over the grid from one cell, with its buffers kept between points of interest
/// (flat arrays indexed by cell: no hashing, no allocation per step).
struct Search {
    heap: std::collections::BinaryHeap<Frontier>,
    /// Cells in the order first reached, with the index of their parent and the best cost
    /// so far.
    found: Vec<(CellId, u32, u32)>,
    /// Index into `found` of each cell, `u32::MAX` if not reached.
    index_of: Vec<u32>,
    /// Whether `found[i]` is settled.
    settled: Vec<bool>,
}

impl Search {
    fn new(cells: usize) -> Self {
        Search {
            heap: std::collections::BinaryHeap::new(),
            found: Vec::new(),
            index_of: vec![u32::MAX; cells],
            settled: Vec::new(),
        }
    }

    /// Settles every cell reachable from `start`, calling `settle(cell, parent, cost)` in
    /// order of cost (the start is its own parent; costs in thousandths of a straight step).
    fn run(
        &mut self,
        masks: &[u8],
        width: u32,
        start: CellId,
        mut settle: impl FnMut(CellId, CellId, u32),
    ) {
        let steps = STEPS.map(|(dx, dy)| {
            let cost = if dx != 0 && dy != 0 {
                DIAGONAL
            } else {
                STRAIGHT
            };
            (dy * width as i32 + dx, cost)
        });
        for &(c, _, _) in &self.found {
            self.index_of[c.index()] = u32::MAX;
        }
        self.found.clear();
        self.settled.clear();
        self.heap.clear();
        self.found.push((start, u32::MAX, 0));
        self.settled.push(false);
        self.index_of[start.index()] = 0;
        self.heap.push(Frontier { cost: 0, index: 0 });
        while let Some(Frontier { cost, index }) = self.heap.pop() {
            let i = index as usize;
            if self.settled[i] {
                continue;
            }
            self.settled[i] = true;
            let (cell, parent, total) = self.found[i];
            let parent = if parent == u32::MAX {
                cell
            } else {
                self.found[parent as usize].0
            };
            settle(cell, parent, total);
            let mask = masks[cell.index()];
            for (k, &(delta, step)) in steps.iter().enumerate() {
                if mask & (1 << k) == 0 {
                    continue;
                }
                // In bounds: the mask only allows steps onto cells of the plan.
                let nb = CellId(cell.0.wrapping_add_signed(delta));
                let new_cost = cost + step;
                let j = self.index_of[nb.index()];
                let j = if j == u32::MAX {
                    let j = self.found.len() as u32;
                    self.found.push((nb, index, new_cost));
                    self.settled.push(false);
                    self.index_of[nb.index()] = j;
                    j
                } else if self.found[j as usize].2 > new_cost {
                    self.found[j as usize].1 = index;
                    self.found[j as usize].2 = new_cost;
                    j
                } else {
                    continue;
                };
                self.heap.push(Frontier {
                    cost: new_cost,
                    index: j,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn plan(rows: &[&str], legend: &[(char, LegendEntry)]) -> Result<FloorPlan, Vec<Problem>> {
        FloorPlan::build(&Layout {
            cell_size: 0.5,
            rows: rows.iter().map(|r| r.to_string()).collect(),
            legend: legend.iter().cloned().collect::<BTreeMap<_, _>>(),
        })
    }

    /// The distance searches give the same tables on one thread and on several (the
    /// supermarket's plan, large enough to be shared among threads when it is built).
    #[test]
    fn tables_do_not_depend_on_the_number_of_threads() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/supermarket.ron");
        let text = std::fs::read_to_string(path).unwrap();
        let scenario = crate::scenario::parse_str(&text, path).unwrap();
        let built = FloorPlan::build(&scenario.layout).unwrap();
        assert!(
            built.cells.len() * built.pois.len() >= PARALLEL_TABLES_FROM,
            "the test plan is too small to be searched on several threads"
        );
        let tables = |threads: Option<usize>| {
            let mut p = built.clone();
            p.dist = IdVec::new();
            p.toward = IdVec::new();
            match threads {
                None => p.compute_tables_with(false),
                Some(t) => rayon::ThreadPoolBuilder::new()
                    .num_threads(t)
                    .build()
                    .unwrap()
                    .install(|| p.compute_tables_with(true)),
            }
            p
        };
        for threads in [None, Some(1), Some(2), Some(3), Some(7)] {
            let p = tables(threads);
            assert_eq!(p.dist.len(), built.pois.len(), "{threads:?} threads");
            for (a, b) in p.dist.iter().zip(built.dist.iter()) {
                let same = a
                    .iter()
                    .zip(b.iter())
                    .all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{threads:?} threads: distances differ");
            }
            for (a, b) in p.toward.iter().zip(built.toward.iter()) {
                assert_eq!(a, b, "{threads:?} threads");
            }
            assert!(
                p.between.len() == built.between.len()
                    && p.between
                        .iter()
                        .zip(built.between.iter())
                        .all(|(x, y)| x.to_bits() == y.to_bits()),
                "{threads:?} threads: point-to-point distances differ"
            );
        }
    }

    fn legend() -> Vec<(char, LegendEntry)> {
        vec![
            ('s', LegendEntry::Shelf("s".into())),
            ('c', LegendEntry::Checkout("till".into())),
        ]
    }

    /// A shelf in a niche open only below, a till in the open, the exit on the right.
    fn shop() -> FloorPlan {
        plan(
            &[
                "#######", "E.....#", "#.###.#", "#.#s#.#", "#.....#", "#.c...#", "#.....X",
                "#######",
            ],
            &legend(),
        )
        .unwrap()
    }

    #[test]
    fn distances_count_straight_and_diagonal_steps_in_metres() {
        // From (0,1) to (6,3): the first and last steps must be straight (walls at the
        // corners), the rest is 2 diagonal + 2 straight steps.
        let p = plan(
            &[
                "#######", "E.....#", "#.....#", "#.....X", "#..c..#", "#######",
            ],
            &legend(),
        )
        .unwrap();
        let expected = 0.5 * (4.0 + 2.0 * 1.414);
        let d = p.distance(p.entrances[0], p.exits[0]);
        assert!((d - expected).abs() < 1e-6, "{d}");
        // Around the niche no diagonal is allowed: six straight steps.
        let shop = shop();
        let to_shelf = shop.distance(shop.entrances[0], shop.shelves[ShelfId(0)].access);
        assert!((to_shelf - 3.0).abs() < 1e-6, "{to_shelf}");
        assert_eq!(shop.distance(shop.entrances[0], shop.entrances[0]), 0.0);
        let back = shop.distance(shop.shelves[ShelfId(0)].access, shop.entrances[0]);
        assert!((to_shelf - back).abs() < 1e-6, "distances are symmetric");
    }

    #[test]
    fn paths_never_cross_blocked_cells_or_cut_corners() {
        let p = shop();
        for (from, to) in [
            (p.entrances[0], p.exits[0]),
            (p.entrances[0], p.shelves[ShelfId(0)].access),
        ] {
            let path = p.path(from, to);
            assert_eq!(path.first(), Some(&p.pois[from]));
            assert_eq!(path.last(), Some(&p.pois[to]));
            let mut length = 0.0;
            for w in path.windows(2) {
                let (ax, ay) = p.xy(w[0]);
                let (bx, by) = p.xy(w[1]);
                let (dx, dy) = (bx as i32 - ax as i32, by as i32 - ay as i32);
                assert!(dx.abs() <= 1 && dy.abs() <= 1, "adjacent steps");
                assert!(p.cells[w[1]].walkable());
                if dx != 0 && dy != 0 {
                    assert!(p.cells[p.offset(w[0], dx, 0).unwrap()].walkable());
                    assert!(p.cells[p.offset(w[0], 0, dy).unwrap()].walkable());
                    length += 0.5 * 1.414;
                } else {
                    length += 0.5;
                }
            }
            assert!(
                (length - p.distance(from, to)).abs() < 1e-6,
                "the path is as long as the distance"
            );
        }
    }

    #[test]
    fn shelf_access_and_queue_side_are_on_the_floor() {
        let p = shop();
        // The shelf at (3,3) is open only below.
        assert_eq!(p.xy(p.pois[p.shelves[ShelfId(0)].access]), (3, 4));
        // The till at (2,5) is served on its side farthest from the exit: the left.
        let lane = &p.lanes[LaneId(0)];
        assert_eq!(p.xy(p.pois[lane.service_point]), (1, 5));
        assert_eq!(lane.queue_direction, (-1, 0));
    }

    #[test]
    fn layouts_without_doors_or_with_stray_characters_are_rejected() {
        let err = plan(&["####", "#..#", "####"], &[]).unwrap_err();
        let text: Vec<String> = err.iter().map(|p| p.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("no entrance")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("no exit")));
        assert!(text.iter().any(|t| t.contains("no checkout")));
        let err = plan(&["#E?X#"], &[]).unwrap_err();
        assert!(
            err[0].to_string().contains("character '?' at column 3"),
            "{err:?}"
        );
        let err = plan(&["#E.X#"], &[('#', LegendEntry::Floor)]).unwrap_err();
        assert!(
            err.iter()
                .any(|p| p.message.contains("cannot be redefined"))
        );
    }

    #[test]
    fn positions_interpolate_along_the_path() {
        let p = shop();
        let (from, to) = (p.entrances[0], p.exits[0]);
        assert_eq!(p.point_along(from, to, -0.5), p.cell_centre(p.pois[from]));
        assert_eq!(p.point_along(from, to, 1.5), p.cell_centre(p.pois[to]));
        // Consecutive positions are never farther apart than a diagonal step per time slice.
        let path = p.path(from, to);
        let steps = 200;
        let mut last = p.point_along(from, to, 0.0);
        for k in 1..=steps {
            let now = p.point_along(from, to, k as f64 / steps as f64);
            let d = ((now.0 - last.0).powi(2) + (now.1 - last.1).powi(2)).sqrt();
            assert!(
                d <= 0.5 * 1.4143 * (path.len() as f64) / steps as f64 + 1e-9,
                "jump of {d} m"
            );
            last = now;
        }
    }
}
