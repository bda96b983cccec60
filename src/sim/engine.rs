//! The event scheduler: next-event time advance over a bevy `World`.
//!
//! Models nothing retail itself; it owns simulated time. Handlers schedule events on the
//! [`Agenda`] for a future time or emit them for now; [`advance`] pops them in (time,
//! insertion) order, moves the time on ([`Agenda::now`]) and dispatches each (the handlers of
//! one event run in the order [`crate::sim::events`] lists them), so the cost of a run grows
//! with what happens, not with wall-clock ticks. Ties are broken by insertion order and
//! emitted events are handled first in, first out (breadth first: an event emitted by the
//! handler of an emitted event waits for the events emitted before it — unlike bevy's
//! `commands.trigger`, which runs nested triggers depth first), which makes a run a pure
//! function of scenario and seed.
//!
//! Units: seconds since 00:00 of the simulated day.

use std::cell::Cell;
use std::collections::{BinaryHeap, VecDeque};
use std::marker::PhantomData;

use bevy::ecs::change_detection::Tick;
use bevy::ecs::component::ComponentId;
use bevy::ecs::query::{FilteredAccess, FilteredAccessSet};
use bevy::ecs::resource::IS_RESOURCE;
use bevy::ecs::system::{SystemMeta, SystemParam, SystemParamValidationError};
use bevy::ecs::world::unsafe_world_cell::UnsafeWorldCell;
use bevy::prelude::*;

/// The simulated day's fixed times. The time now is the agenda's ([`Agenda::now`]): the one
/// place it is kept, so the engine moves it on with the event it takes anyway.
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    /// Doors open, seconds since 00:00.
    pub open: f64,
    /// Doors close (no arrivals after this), seconds since 00:00.
    pub close: f64,
    /// Start of the KPI window: opening plus the warm-up. Every statistic counts the
    /// customers who arrive from then on, and time averages run from then on.
    pub measure_from: f64,
    /// Nothing is simulated after this: closing time plus the longest allowed drain.
    pub hard_stop: f64,
}

/// What the agenda holds: an event that knows its name and how to be handled. The store's
/// events are one enum ([`crate::sim::events::SimEvent`]) whose `dispatch` runs each event's
/// handlers in the order written there, so the order never depends on bevy internals.
pub trait Dispatch: Send + Sync + 'static + Sized {
    /// What runs the events: the handlers, kept outside the world.
    type Handlers: Send + Sync + 'static;
    /// The event's type, for the event log, faults and the inspector.
    fn name(&self) -> &'static str;
    /// Runs the handlers of this event on `world` ([`Agenda::now`] is already its time).
    fn dispatch(self, world: &mut World, handlers: &mut Self::Handlers);
}

/// A scheduled event's place in the agenda's slots, and its sequence number, which tells a
/// slot's current event from one cancelled before the slot was reused.
struct Slot<E> {
    seq: u64,
    event: Option<E>,
}

/// Bits of a heap entry below the sequence number that hold the event's slot.
const SLOT_BITS: u32 = 24;

/// The order of (time, seq) as one integer: the time's bits mapped so that unsigned order is
/// `f64::total_cmp`'s order (only finite times are scheduled), the sequence number below.
fn key(time: f64, seq: u64) -> u128 {
    let bits = time.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    u128::from(ordered) << 64 | u128::from(seq)
}

/// The time a [`key`] was made from: the mapping is undone bit for bit.
fn key_time(key: u128) -> f64 {
    let ordered = (key >> 64) as u64;
    f64::from_bits(if ordered >> 63 == 1 {
        ordered & !(1 << 63)
    } else {
        !ordered
    })
}

/// A heap entry: [`key`] of the time and, below it, the sequence number above the slot
/// (sequence numbers are unique, so the slot never decides the order). The heap holds entries
/// bit-inverted, so its maximum is the earliest event: a sift moves 16 bytes, not the event.
fn entry(time: f64, seq: u64, slot: usize) -> u128 {
    key(time, seq << SLOT_BITS | slot as u64)
}

fn entry_seq(entry: u128) -> u64 {
    (entry as u64) >> SLOT_BITS
}

fn entry_slot(entry: u128) -> usize {
    (entry as u64 & ((1 << SLOT_BITS) - 1)) as usize
}

/// Names a scheduled event, for [`Agenda::cancel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventId {
    seq: u64,
    slot: u32,
}

/// An event scheduled at a time the engine cannot honour (not finite, or before the event
/// being processed): a bug in a plugin or a scenario validation missed. The run stops at the
/// first one instead of going on with a wrong history.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// Simulated time when it was scheduled, seconds since 00:00.
    pub now: f64,
    /// The time it was scheduled for.
    pub time: f64,
    /// The event's type.
    pub event: &'static str,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let when = if self.now.is_finite() {
            crate::scenario::format_clock(self.now)
        } else {
            "set-up".to_string()
        };
        write!(
            f,
            "engine fault at {when}: {} scheduled at {} s{}",
            self.event,
            self.time,
            if self.time.is_finite() {
                " (in the past)"
            } else {
                ""
            }
        )
    }
}

impl std::error::Error for Fault {}

/// The future event list, plus the events that happen now (emitted by a handler, handled
/// after the event being handled, first in first out).
#[derive(Resource)]
pub struct Agenda<E: Dispatch> {
    /// Bit-inverted [`entry`]s of the scheduled events (and of cancelled ones: a cancelled
    /// event's entry stays in the heap and is dropped when it reaches the top, so cancelling
    /// costs O(1) plus the heap pops it saves anyway).
    heap: BinaryHeap<u128>,
    /// The scheduled events, each in a slot its entry names; a cancelled or fired event's
    /// slot is free for the next one.
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    immediate: VecDeque<E>,
    /// Entries in the heap whose event was cancelled.
    cancelled: usize,
    seq: u64,
    fired: u64,
    /// Time of the event being processed (or last processed, or where [`advance`] stopped
    /// short of the next one); before the first, the time the run starts at.
    now: f64,
    /// Whether the run has started (an event taken, a command handled, or the time moved on
    /// by [`advance`]): from then on nothing may be scheduled before `now`; while the store is
    /// built, anything may.
    started: bool,
    fault: Option<Fault>,
}

impl<E: Dispatch> Default for Agenda<E> {
    fn default() -> Self {
        Agenda::starting_at(0.0)
    }
}

impl<E: Dispatch> Agenda<E> {
    /// An empty agenda whose time is `start` (seconds since 00:00) until its first event.
    pub fn starting_at(start: f64) -> Self {
        Agenda {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            immediate: VecDeque::new(),
            cancelled: 0,
            seq: 0,
            fired: 0,
            now: start,
            started: false,
            fault: None,
        }
    }

    /// The earliest time that may be scheduled.
    fn earliest(&self) -> f64 {
        if self.started {
            self.now
        } else {
            f64::NEG_INFINITY
        }
    }

    /// Schedules `event` at simulated time `time` (seconds). A time that is not finite or lies
    /// before the current event is not scheduled: it records a [`Fault`] (the first one is
    /// kept) and [`advance`] stops.
    pub fn schedule(&mut self, time: f64, event: impl Into<E>) -> EventId {
        let event = event.into();
        self.seq += 1;
        let seq = self.seq;
        if !time.is_finite() || time < self.earliest() {
            self.fault.get_or_insert(Fault {
                now: self.earliest(),
                time,
                event: event.name(),
            });
            return EventId {
                seq,
                slot: u32::MAX,
            };
        }
        assert!(
            seq < 1 << (64 - SLOT_BITS),
            "more than 2^40 events scheduled in one run"
        );
        let filled = Slot {
            seq,
            event: Some(event),
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = filled;
                slot
            }
            None => {
                assert!(
                    self.slots.len() < 1 << SLOT_BITS,
                    "more than 2^24 events scheduled at once"
                );
                self.slots.push(filled);
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(!entry(time, seq, slot as usize));
        EventId { seq, slot }
    }

    /// An event that happens now, as a consequence of the one being handled: it is handled
    /// after the event being handled (all its handlers) and after the events emitted before
    /// it, before anything scheduled (also at the same time).
    pub fn emit(&mut self, event: impl Into<E>) {
        self.immediate.push_back(event.into());
    }

    /// Withdraws a scheduled event that has not fired yet; an event already fired or
    /// cancelled is left alone.
    pub fn cancel(&mut self, id: EventId) {
        if self.holds(id.seq, id.slot as usize) {
            self.slots[id.slot as usize].event = None;
            self.free.push(id.slot);
            self.cancelled += 1;
            self.drop_cancelled_top();
        }
    }

    /// Whether slot `slot` holds the scheduled event with sequence number `seq`.
    fn holds(&self, seq: u64, slot: usize) -> bool {
        self.slots
            .get(slot)
            .is_some_and(|s| s.seq == seq && s.event.is_some())
    }

    /// Keeps a live event on top of the heap, so peeking needs no filtering.
    fn drop_cancelled_top(&mut self) {
        while let Some(&top) = self.heap.peek() {
            if self.holds(entry_seq(!top), entry_slot(!top)) {
                break;
            }
            self.heap.pop();
            self.cancelled -= 1;
        }
    }

    /// Takes the next scheduled event due at or before `until`.
    fn pop_due(&mut self, until: f64) -> Option<E> {
        if self.fault.is_some() {
            return None;
        }
        let top = !*self.heap.peek()?;
        let time = key_time(top);
        if time > until {
            return None;
        }
        self.heap.pop();
        let slot = entry_slot(top);
        let event = self.slots[slot].event.take().expect("a live event on top");
        self.free.push(slot as u32);
        self.drop_cancelled_top();
        self.fired += 1;
        self.now = time;
        self.started = true;
        Some(event)
    }

    /// Now, seconds since 00:00: the time of the event being handled (or the last one, or
    /// where [`advance`] stopped; before the first event, the start).
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Time of the next event, if any.
    pub fn next_time(&self) -> Option<f64> {
        self.heap.peek().map(|&top| key_time(!top))
    }

    /// Name of the next event's type (for debugging and the inspector).
    pub fn next_name(&self) -> Option<&'static str> {
        let top = !*self.heap.peek()?;
        self.slots[entry_slot(top)].event.as_ref().map(E::name)
    }

    /// Scheduled events still to come.
    pub fn len(&self) -> usize {
        self.heap.len() - self.cancelled
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Scheduled events handled so far (events emitted by handlers are not counted).
    pub fn fired(&self) -> u64 {
        self.fired
    }

    /// The first event that could not be scheduled, if any (the run stopped there).
    pub fn fault(&self) -> Option<&Fault> {
        self.fault.as_ref()
    }
}

/// Handles every event due at or before `until` (and before [`Clock::hard_stop`]), in order.
/// Leaves the time at `until` if it is earlier than the next event, so a view can show the
/// state between events. Returns the number of events fired.
///
/// While it runs, the agenda is out of the world and lent to the handlers ([`AgendaMut`]).
pub fn advance<E: Dispatch>(world: &mut World, handlers: &mut E::Handlers, until: f64) -> u64 {
    let hard_stop = world.resource::<Clock>().hard_stop;
    let until = until.min(hard_stop);
    lending::<E, _>(world, |world, lent| {
        let mut fired = 0;
        loop {
            // Emitted events first (also those emitted outside any handler, while building or
            // by a caller: they happen now), then the next scheduled one.
            // No `world.flush()` after a handler: each applies its own deferred work (bevy
            // applies a system's commands when it returns; an exclusive handler's world
            // flushes itself), and an empty flush on every event cost more than 1 % of a run.
            let a = lent.get();
            if let Some(next) = a.immediate.pop_front() {
                next.dispatch(world, handlers);
                continue;
            }
            // Ctrl-C: stop between events; the caller sees `interrupt::requested()` and
            // discards the run.
            if fired > 0 && fired % 4096 == 0 && crate::interrupt::requested() {
                break;
            }
            // Taking the event moves the time on: no second resource to update per event.
            let Some(event) = a.pop_due(until) else {
                break;
            };
            event.dispatch(world, handlers);
            fired += 1;
        }
        // With work left, time moves on to `until` (a view shows the state between events);
        // with none, the time stays at the last event, which is when the store day ended.
        // After a fault the time stays where it happened.
        let agenda = lent.get();
        let pending = !agenda.is_empty() && agenda.fault.is_none();
        if pending && until > agenda.now {
            // What is scheduled from now on (a command from the view) may not go back before
            // it.
            agenda.now = until;
            agenda.started = true;
        }
        fired
    })
}

/// Runs `f` with the agenda taken out of the world and lent to the handlers, then puts it
/// back.
fn lending<E: Dispatch, R>(
    world: &mut World,
    f: impl FnOnce(&mut World, &mut Lend<'_, E>) -> R,
) -> R {
    let mut agenda = world.remove_resource::<Agenda<E>>().unwrap_or_else(|| {
        panic!(
            "{} missing (or already lent: the engine does not run inside a handler)",
            std::any::type_name::<Agenda<E>>()
        )
    });
    let out = f(world, &mut Lend::new(&mut agenda));
    world.insert_resource(agenda);
    out
}

/// The agenda lent to the handlers while the engine handles events: where it is, which
/// agenda type it is, and whether an [`AgendaMut`] holds it now. Per thread, because each
/// thread runs its own worlds (replications run on a pool).
type LentSlot = (*mut (), Option<std::any::TypeId>, bool);

thread_local! {
    static LENT: Cell<LentSlot> = const { Cell::new((std::ptr::null_mut(), None, false)) };
}

/// Lends an agenda for as long as it lives (and holds the engine's borrow of it meanwhile):
/// [`AgendaMut`] and [`with_lent`] reach it. Restores what was lent before when dropped (also
/// when a handler panics).
struct Lend<'a, E: Dispatch> {
    agenda: *mut Agenda<E>,
    before: LentSlot,
    _borrow: PhantomData<&'a mut Agenda<E>>,
}

impl<'a, E: Dispatch> Lend<'a, E> {
    fn new(agenda: &'a mut Agenda<E>) -> Self {
        let agenda: *mut Agenda<E> = agenda;
        let before = LENT.replace((
            agenda.cast(),
            Some(std::any::TypeId::of::<Agenda<E>>()),
            false,
        ));
        Lend {
            agenda,
            before,
            _borrow: PhantomData,
        }
    }

    /// The engine's own access, between handlers.
    fn get(&mut self) -> &mut Agenda<E> {
        // One thread-local read per event: a borrow kept past its handler (leaked or
        // stashed) must not alias the engine's.
        assert!(!LENT.get().2, "no handler holds the agenda between events");
        // SAFETY: the pointer comes from a `&'a mut Agenda<E>` that outlives `self`; handlers
        // reach it only through `borrow_lent`, whose borrows end before the engine's next
        // access (the flag checked above).
        unsafe { &mut *self.agenda }
    }
}

impl<E: Dispatch> Drop for Lend<'_, E> {
    fn drop(&mut self) {
        if LENT.get().2 && !std::thread::panicking() {
            // A borrow outlives the lend (an `AgendaMut` leaked or kept): it would dangle once
            // the agenda moves back into the world. Nothing safe can go on.
            eprintln!("storelab: a handler kept the lent agenda past its run");
            std::process::abort();
        }
        LENT.set(self.before);
    }
}

/// Borrows the lent agenda of type `Agenda<E>`, if one is lent and not borrowed already; the
/// borrow lasts until the [`AgendaMut`] drops.
fn borrow_lent<'a, E: Dispatch>() -> Result<AgendaMut<'a, E>, &'static str> {
    let (ptr, ty, borrowed) = LENT.get();
    if ptr.is_null() || ty != Some(std::any::TypeId::of::<Agenda<E>>()) {
        return Err("the agenda is lent to handlers only while the engine handles an event");
    }
    if borrowed {
        return Err("the agenda is already borrowed (one AgendaMut per handler)");
    }
    LENT.set((ptr, ty, true));
    // SAFETY: the pointer is a live `&mut Agenda<E>` lent by `Lend` (type checked above);
    // the flag makes this the only borrow until the `AgendaMut` drops, and the engine does
    // not touch the agenda while a handler runs.
    Ok(AgendaMut {
        agenda: unsafe { &mut *ptr.cast::<Agenda<E>>() },
        _not_send: PhantomData,
    })
}

/// Runs `f` on the agenda lent to the handler running now, for code without system
/// parameters (the event log; exclusive handlers take an [`AgendaMut`] through their
/// `SystemState`).
///
/// # Panics
/// Outside a handler, or while an [`AgendaMut`] holds the agenda.
pub fn with_lent<E: Dispatch, R>(f: impl FnOnce(&mut Agenda<E>) -> R) -> R {
    let mut agenda = borrow_lent::<E>().unwrap_or_else(|e| panic!("{e}"));
    // Given back when `agenda` drops, also if `f` panics.
    f(&mut *agenda)
}

/// A handler's access to the agenda: a system parameter like `ResMut<Agenda<E>>`, but the
/// agenda is lent by the engine ([`advance`], [`handle`]) instead of looked up in the world.
/// Looking a resource up cost about 80 instructions, and the engine and nearly every handler
/// did it on every event. It claims write access to the agenda resource, so a system with two
/// of them, or with one and a `Res<Agenda<E>>`, is refused when it is built.
///
/// While lent, the agenda is not in the world: `Res<Agenda<E>>` or `world.resource` of it in
/// a handler panics (missing resource). One agenda per event type is lent per thread at a
/// time; a handler that ran systems of another world of the same event type would reach
/// this one (none does).
pub struct AgendaMut<'w, E: Dispatch> {
    agenda: &'w mut Agenda<E>,
    /// Not `Send`: dropping it gives the agenda back on this thread's lend.
    _not_send: PhantomData<*const ()>,
}

impl<E: Dispatch> std::ops::Deref for AgendaMut<'_, E> {
    type Target = Agenda<E>;
    fn deref(&self) -> &Agenda<E> {
        self.agenda
    }
}

impl<E: Dispatch> std::ops::DerefMut for AgendaMut<'_, E> {
    fn deref_mut(&mut self) -> &mut Agenda<E> {
        self.agenda
    }
}

impl<E: Dispatch> Drop for AgendaMut<'_, E> {
    /// Gives the agenda back: the next handler (or the engine) may take it.
    fn drop(&mut self) {
        let (ptr, ty, _) = LENT.get();
        LENT.set((ptr, ty, false));
    }
}

// SAFETY: the access registered is a write of the agenda resource (so bevy refuses a system
// with conflicting parameters), and `get_param` hands out the lent agenda only when no other
// borrow of it is live (`borrow_lent`).
unsafe impl<E: Dispatch> SystemParam for AgendaMut<'_, E> {
    type State = ComponentId;
    type Item<'w, 's> = AgendaMut<'w, E>;

    fn init_state(world: &mut World) -> ComponentId {
        world
            .components_registrator()
            .register_component::<Agenda<E>>()
    }

    fn init_access(
        &id: &ComponentId,
        system_meta: &mut SystemMeta,
        access: &mut FilteredAccessSet,
        _world: &mut World,
    ) {
        let mut filter = FilteredAccess::default();
        filter.add_write(id);
        filter.and_with(IS_RESOURCE);
        if !access.get_conflicts_single(&filter).is_empty() {
            panic!(
                "AgendaMut in system {} conflicts with another parameter that reaches the agenda",
                system_meta.name()
            );
        }
        access.add(filter);
    }

    unsafe fn get_param<'w>(
        _: &mut ComponentId,
        _: &SystemMeta,
        _: UnsafeWorldCell<'w>,
        _: Tick,
    ) -> Result<AgendaMut<'w, E>, SystemParamValidationError> {
        borrow_lent::<E>().map_err(SystemParamValidationError::invalid::<Self>)
    }
}

/// Handles `event` now, then every event its handlers emit (first in, first out).
pub fn handle<E: Dispatch>(world: &mut World, handlers: &mut E::Handlers, event: E) {
    lending::<E, _>(world, |world, lent| {
        // From a command on, nothing may be scheduled before now (also before the first
        // event).
        lent.get().started = true;
        event.dispatch(world, handlers);
        while let Some(next) = lent.get().immediate.pop_front() {
            next.dispatch(world, handlers);
        }
    });
}

/// True when nothing is left to simulate (or a fault stopped the run).
pub fn finished<E: Dispatch>(world: &World) -> bool {
    let clock = world.resource::<Clock>();
    let agenda = world.resource::<Agenda<E>>();
    agenda.fault.is_some() || agenda.next_time().is_none_or(|t| t > clock.hard_stop)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug)]
    enum Tick {
        /// Logs its number; number 1 schedules a follow-up at the same instant and emits one.
        Log(u32),
        /// Schedules an event one second in the past.
        Rewind,
    }

    #[derive(Resource, Default)]
    struct Log(Vec<(f64, u32)>);

    impl Dispatch for Tick {
        type Handlers = ();
        fn name(&self) -> &'static str {
            match self {
                Tick::Log(_) => "Tick",
                Tick::Rewind => "Rewind",
            }
        }
        fn dispatch(self, world: &mut World, _: &mut ()) {
            let now = with_lent::<Tick, _>(|a| a.now());
            match self {
                Tick::Log(n) => {
                    world.resource_mut::<Log>().0.push((now, n));
                    if n == 1 {
                        with_lent::<Tick, _>(|agenda| {
                            agenda.schedule(now, Tick::Log(10));
                            agenda.emit(Tick::Log(11));
                            agenda.emit(Tick::Log(12));
                        });
                    }
                    if n == 11 {
                        with_lent::<Tick, _>(|a| a.emit(Tick::Log(13)));
                    }
                }
                Tick::Rewind => {
                    with_lent::<Tick, _>(|a| a.schedule(now - 1.0, Tick::Log(7)));
                }
            }
        }
    }

    fn world() -> World {
        let mut w = World::new();
        w.insert_resource(Clock {
            open: 0.0,
            close: 100.0,
            measure_from: 0.0,
            hard_stop: 200.0,
        });
        w.insert_resource(Agenda::<Tick>::default());
        w.insert_resource(Log::default());
        w
    }

    fn agenda(w: &mut World) -> Mut<'_, Agenda<Tick>> {
        w.resource_mut::<Agenda<Tick>>()
    }

    #[test]
    fn events_fire_in_time_order_ties_in_insertion_order_emitted_ones_first() {
        let mut w = world();
        {
            let mut a = agenda(&mut w);
            a.schedule(5.0, Tick::Log(3));
            a.schedule(1.0, Tick::Log(1));
            a.schedule(1.0, Tick::Log(2));
            let cancelled = a.schedule(2.0, Tick::Log(99));
            a.schedule(300.0, Tick::Log(4));
            a.cancel(cancelled);
            assert_eq!(a.len(), 4, "the cancelled event no longer counts");
        }
        assert_eq!(advance::<Tick>(&mut w, &mut (), 3.0), 3);
        assert_eq!(
            w.resource::<Agenda<Tick>>().now(),
            3.0,
            "the time moves on to `until`"
        );
        assert_eq!(advance::<Tick>(&mut w, &mut (), f64::INFINITY), 1);
        // 1 emits 11 and 12 (handled at once, in order; 11's own emission 13 after them), and
        // schedules 10, which comes after 2, scheduled earlier for the same instant.
        let log = &w.resource::<Log>().0;
        assert_eq!(
            log,
            &vec![
                (1.0, 1),
                (1.0, 11),
                (1.0, 12),
                (1.0, 13),
                (1.0, 2),
                (1.0, 10),
                (5.0, 3)
            ]
        );
        assert!(
            finished::<Tick>(&w),
            "the event after the hard stop never fires"
        );
        assert_eq!(w.resource::<Agenda<Tick>>().now(), 200.0);
        assert!(w.resource::<Agenda<Tick>>().fault().is_none());
        assert_eq!(
            w.resource::<Agenda<Tick>>().fired(),
            4,
            "emitted events are not counted as fired"
        );
    }

    #[test]
    fn the_heap_key_orders_like_time_then_sequence() {
        let times = [
            -1e300,
            -86_400.0,
            -1.5,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            f64::MIN_POSITIVE / 2.0,
            1e-9,
            1.0,
            1.0 + f64::EPSILON,
            36_000.25,
            1e300,
        ];
        for &(a, s) in &[(0usize, 3u64), (4, 0), (5, 7), (9, u64::MAX)] {
            for (b, t) in times.iter().enumerate() {
                for seq in [0, 1, 3, u64::MAX] {
                    let k = key(*t, seq);
                    assert_eq!(key_time(k).to_bits(), t.to_bits(), "{t} read back");
                    assert_eq!(k as u64, seq, "{seq} read back");
                    let expected = times[a].total_cmp(t).then(s.cmp(&seq));
                    assert_eq!(
                        key(times[a], s).cmp(&key(*t, seq)),
                        expected,
                        "({}, {s}) vs ({t}, {seq}), index {b}",
                        times[a]
                    );
                }
            }
        }
    }

    #[test]
    fn cancelling_is_exact_and_idempotent() {
        let mut w = world();
        let mut a = agenda(&mut w);
        let ids: Vec<EventId> = (0..100)
            .map(|i| a.schedule(f64::from(i), Tick::Log(100 + i)))
            .collect();
        // Cancel every third one, some twice, including the current top.
        for id in ids.iter().step_by(3) {
            a.cancel(*id);
            a.cancel(*id);
        }
        assert_eq!(a.len(), 66);
        assert_eq!(a.next_time(), Some(1.0), "the cancelled top is gone");
        advance::<Tick>(&mut w, &mut (), 50.0);
        // Cancelling an event that already fired changes nothing.
        agenda(&mut w).cancel(ids[1]);
        assert_eq!(agenda(&mut w).len(), 32, "51..=99 less 17 multiples of 3");
        advance::<Tick>(&mut w, &mut (), f64::INFINITY);
        let fired: Vec<u32> = w.resource::<Log>().0.iter().map(|&(_, n)| n).collect();
        let expected: Vec<u32> = (0..100).filter(|i| i % 3 != 0).map(|i| 100 + i).collect();
        assert_eq!(fired, expected);
        assert!(agenda(&mut w).is_empty());
    }

    #[test]
    fn an_event_in_the_past_stops_the_run_with_a_fault() {
        let mut w = world();
        {
            let mut a = agenda(&mut w);
            a.schedule(1.0, Tick::Log(1));
            a.schedule(5.0, Tick::Rewind);
            a.schedule(6.0, Tick::Log(3));
        }
        assert_eq!(
            advance::<Tick>(&mut w, &mut (), f64::INFINITY),
            3,
            "Tick 1, its follow-up, Rewind"
        );
        let fault = w
            .resource::<Agenda<Tick>>()
            .fault()
            .cloned()
            .expect("a fault");
        assert_eq!((fault.now, fault.time), (5.0, 4.0));
        assert_eq!(fault.event, "Tick");
        assert!(fault.to_string().contains("in the past"), "{fault}");
        assert_eq!(
            w.resource::<Log>().0,
            vec![(1.0, 1), (1.0, 11), (1.0, 12), (1.0, 13), (1.0, 10)]
        );
        assert!(finished::<Tick>(&w), "a faulted run is over");
        assert_eq!(
            w.resource::<Agenda<Tick>>().now(),
            5.0,
            "the time stays at the fault"
        );
        assert_eq!(
            advance::<Tick>(&mut w, &mut (), f64::INFINITY),
            0,
            "and stays stopped"
        );
    }

    #[test]
    fn an_event_at_infinity_or_nan_is_a_fault_not_an_event() {
        for bad in [f64::INFINITY, f64::NAN] {
            let mut w = world();
            agenda(&mut w).schedule(bad, Tick::Log(1));
            assert!(agenda(&mut w).is_empty(), "not scheduled");
            assert!(finished::<Tick>(&w));
            assert_eq!(advance::<Tick>(&mut w, &mut (), f64::INFINITY), 0);
            let fault = w
                .resource::<Agenda<Tick>>()
                .fault()
                .cloned()
                .expect("a fault");
            assert!(fault.time.is_nan() || fault.time == f64::INFINITY);
            assert_eq!(fault.now, f64::NEG_INFINITY, "while building");
        }
    }

    /// While the store is built (before the run starts) an event may be scheduled before the
    /// start time; once a command or an event has been handled, not before now.
    #[test]
    fn only_a_started_run_refuses_times_before_now() {
        let mut w = World::new();
        w.insert_resource(Agenda::<Tick>::starting_at(50.0));
        w.insert_resource(Log::default());
        agenda(&mut w).schedule(10.0, Tick::Log(1));
        assert_eq!(agenda(&mut w).now(), 50.0, "the start, before any event");
        assert!(agenda(&mut w).fault().is_none(), "accepted while building");
        // A command before the first event: the run starts at 50.
        handle::<Tick>(&mut w, &mut (), Tick::Log(2));
        agenda(&mut w).schedule(40.0, Tick::Log(3));
        let fault = agenda(&mut w)
            .fault()
            .cloned()
            .expect("refused once started");
        assert_eq!((fault.now, fault.time), (50.0, 40.0));
        assert_eq!(
            agenda(&mut w).len(),
            1,
            "only the event scheduled while building"
        );
    }

    /// A cancelled event's slot serves the next event scheduled, while the cancelled event's
    /// heap entry (not on top, so still in the heap) stays dead when it reaches the top.
    #[test]
    fn a_slot_freed_by_a_cancel_serves_a_new_event_and_the_old_entry_stays_dead() {
        let mut w = world();
        {
            let mut a = agenda(&mut w);
            a.schedule(1.0, Tick::Log(1_000));
            let gone = a.schedule(5.0, Tick::Log(5));
            a.cancel(gone);
            assert_eq!(a.slots.len(), 2);
            assert_eq!(a.heap.len(), 2, "the cancelled entry waits in the heap");
            // Reuses the cancelled event's slot, later than its stale entry: when the stale
            // entry reaches the top, the slot holds a live event that is not its own.
            a.schedule(7.0, Tick::Log(7));
            assert_eq!(a.slots.len(), 2, "no new slot");
            a.schedule(4.0, Tick::Log(4));
            assert_eq!(a.len(), 3);
            a.cancel(gone);
            assert_eq!(a.len(), 3, "cancelling it again changes nothing");
        }
        assert_eq!(advance::<Tick>(&mut w, &mut (), f64::INFINITY), 3);
        assert_eq!(
            w.resource::<Log>().0,
            vec![(1.0, 1_000), (4.0, 4), (7.0, 7)]
        );
        let a = agenda(&mut w);
        assert!(
            a.is_empty() && a.heap.is_empty(),
            "the stale entry was dropped"
        );
    }

    #[derive(Resource, Default)]
    struct Seen(Vec<f64>);

    fn reads_the_lent_agenda(_: In<u32>, agenda: AgendaMut<Tick>, mut seen: ResMut<Seen>) {
        seen.0.push(agenda.now());
    }

    fn two_agendas(_: In<u32>, _: AgendaMut<Tick>, _: AgendaMut<Tick>) {}

    fn agenda_and_resource(_: In<u32>, _: AgendaMut<Tick>, _: Res<Agenda<Tick>>) {}

    /// A system reaches the agenda through `AgendaMut` only while the engine lends it, and
    /// never twice at once.
    #[test]
    fn agenda_mut_reaches_the_lent_agenda_only() {
        let mut w = world();
        w.insert_resource(Seen::default());
        let mut system = IntoSystem::into_system(reads_the_lent_agenda);
        system.initialize(&mut w);
        let outside = system.run(1, &mut w);
        assert!(
            outside.is_err_and(|e| e.to_string().contains("lent to handlers only")),
            "refused outside the engine"
        );
        lending::<Tick, _>(&mut w, |w, lent| {
            lent.get().now = 42.0;
            system.run(1, w).expect("lent");
            system.run(2, w).expect("given back after each run");
            assert_eq!(with_lent::<Tick, _>(|a| a.now()), 42.0);
            let panicked = std::panic::catch_unwind(|| with_lent::<Tick, ()>(|_| panic!("boom")));
            assert!(panicked.is_err());
            assert_eq!(
                with_lent::<Tick, _>(|a| a.now()),
                42.0,
                "a panic inside gives the agenda back"
            );
        });
        assert_eq!(
            w.resource::<Agenda<Tick>>().now(),
            42.0,
            "back in the world"
        );
        assert_eq!(w.resource::<Seen>().0, vec![42.0, 42.0]);
        assert!(
            LENT.get().0.is_null(),
            "nothing stays lent after the lender"
        );
        for conflicting in [
            Box::new(IntoSystem::into_system(two_agendas))
                as Box<dyn System<In = In<u32>, Out = ()>>,
            Box::new(IntoSystem::into_system(agenda_and_resource)),
        ] {
            let mut conflicting = conflicting;
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                conflicting.initialize(&mut w);
            }));
            assert!(built.is_err(), "{} is refused", conflicting.name());
        }
    }
}
