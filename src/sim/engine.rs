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

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

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

struct Scheduled<E> {
    /// Time and sequence number in one integer ([`key`]): the heap compares one `u128`
    /// instead of a float's total order and then a tie-breaker, on every step of a sift.
    /// Both are read back from it.
    key: u128,
    event: E,
}

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

impl<E> Scheduled<E> {
    fn seq(&self) -> u64 {
        self.key as u64
    }

    fn time(&self) -> f64 {
        key_time(self.key)
    }
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<E> Eq for Scheduled<E> {}
impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Scheduled<E> {
    // Reversed: BinaryHeap is a max-heap and the earliest event must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Names a scheduled event, for [`Agenda::cancel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventId(u64);

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
    heap: BinaryHeap<Scheduled<E>>,
    immediate: VecDeque<E>,
    /// One bit per sequence number: set while the event is scheduled and not cancelled. A
    /// cancelled event stays in the heap and is dropped when it reaches the top, so
    /// cancelling costs O(1) plus the heap pops it saves anyway.
    live: Vec<u64>,
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
            immediate: VecDeque::new(),
            live: Vec::new(),
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
        if !time.is_finite() || time < self.earliest() {
            self.fault.get_or_insert(Fault {
                now: self.earliest(),
                time,
                event: event.name(),
            });
            return EventId(self.seq);
        }
        self.set_live(self.seq, true);
        self.heap.push(Scheduled {
            key: key(time, self.seq),
            event,
        });
        EventId(self.seq)
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
        if self.is_live(id.0) {
            self.set_live(id.0, false);
            self.cancelled += 1;
            self.drop_cancelled_top();
        }
    }

    fn is_live(&self, seq: u64) -> bool {
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        self.live.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    fn set_live(&mut self, seq: u64, on: bool) {
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        if word >= self.live.len() {
            self.live.resize(word + 1, 0);
        }
        if on {
            self.live[word] |= 1 << bit;
        } else {
            self.live[word] &= !(1 << bit);
        }
    }

    /// Keeps a live event on top of the heap, so peeking needs no filtering.
    fn drop_cancelled_top(&mut self) {
        while let Some(top) = self.heap.peek() {
            if self.is_live(top.seq()) {
                break;
            }
            self.heap.pop();
            self.cancelled -= 1;
        }
    }

    /// Takes the next scheduled event due at or before `until`.
    fn pop_due(&mut self, until: f64) -> Option<Scheduled<E>> {
        if self.fault.is_some() || self.heap.peek().is_none_or(|s| s.time() > until) {
            return None;
        }
        let s = self.heap.pop()?;
        self.set_live(s.seq(), false);
        self.drop_cancelled_top();
        self.fired += 1;
        self.now = s.time();
        self.started = true;
        Some(s)
    }

    /// Now, seconds since 00:00: the time of the event being handled (or the last one, or
    /// where [`advance`] stopped; before the first event, the start).
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Time of the next event, if any.
    pub fn next_time(&self) -> Option<f64> {
        self.heap.peek().map(|s| s.time())
    }

    /// Name of the next event's type (for debugging and the inspector).
    pub fn next_name(&self) -> Option<&'static str> {
        self.heap.peek().map(|s| s.event.name())
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
pub fn advance<E: Dispatch>(world: &mut World, handlers: &mut E::Handlers, until: f64) -> u64 {
    let hard_stop = world.resource::<Clock>().hard_stop;
    let until = until.min(hard_stop);
    let agenda = Cached::<Agenda<E>>::new(world);
    let mut fired = 0;
    loop {
        // Emitted events first (also those emitted outside any handler, while building or by
        // a caller: they happen now), then the next scheduled one. One look-up of the agenda
        // per event.
        // No `world.flush()` after a handler: each applies its own deferred work (bevy
        // applies a system's commands when it returns; an exclusive handler's world flushes
        // itself), and an empty flush on every event cost more than 1 % of a run.
        let mut a = agenda.get_mut(world);
        if let Some(next) = a.immediate.pop_front() {
            next.dispatch(world, handlers);
            continue;
        }
        // Ctrl-C: stop between events; the caller sees `interrupt::requested()` and discards
        // the run.
        if fired > 0 && fired % 4096 == 0 && crate::interrupt::requested() {
            break;
        }
        // Taking the event moves the time on: no second resource to update per event.
        let Some(scheduled) = a.pop_due(until) else {
            break;
        };
        scheduled.event.dispatch(world, handlers);
        fired += 1;
    }
    // With work left, time moves on to `until` (a view shows the state between events); with
    // none, the time stays at the last event, which is when the store day ended. After a
    // fault the time stays where it happened.
    let mut agenda = world.resource_mut::<Agenda<E>>();
    let pending = !agenda.is_empty() && agenda.fault.is_none();
    if pending && until > agenda.now {
        // What is scheduled from now on (a command from the view) may not go back before it.
        agenda.now = until;
        agenda.started = true;
    }
    fired
}

/// A resource fetched by its component id, looked up once: finding a resource's id from its
/// type costs as much as the fetch itself, and the engine fetches on every event.
struct Cached<T> {
    id: bevy::ecs::component::ComponentId,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<T: Resource> Cached<T> {
    fn new(world: &World) -> Self {
        Cached {
            id: world
                .component_id::<T>()
                .unwrap_or_else(|| panic!("{} missing", std::any::type_name::<T>())),
            _type: std::marker::PhantomData,
        }
    }

    fn get_mut<'w>(&self, world: &'w mut World) -> Mut<'w, T> {
        let untyped = world
            .get_resource_mut_by_id(self.id)
            .unwrap_or_else(|| panic!("{} removed mid-run", std::any::type_name::<T>()));
        // SAFETY: `id` is the component id of the resource type `T` in this world (from
        // `component_id::<T>`), so the pointer points to a `T`.
        unsafe { untyped.with_type::<T>() }
    }
}

/// Handles `event` now, then every event its handlers emit (first in, first out).
pub fn handle<E: Dispatch>(world: &mut World, handlers: &mut E::Handlers, event: E) {
    // From a command on, nothing may be scheduled before now (also before the first event).
    world.resource_mut::<Agenda<E>>().started = true;
    event.dispatch(world, handlers);
    drain_emitted::<E>(world, handlers);
}

fn drain_emitted<E: Dispatch>(world: &mut World, handlers: &mut E::Handlers) {
    while let Some(next) = world.resource_mut::<Agenda<E>>().immediate.pop_front() {
        next.dispatch(world, handlers);
    }
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
            let now = world.resource::<Agenda<Tick>>().now();
            match self {
                Tick::Log(n) => {
                    world.resource_mut::<Log>().0.push((now, n));
                    if n == 1 {
                        let mut agenda = world.resource_mut::<Agenda<Tick>>();
                        agenda.schedule(now, Tick::Log(10));
                        agenda.emit(Tick::Log(11));
                        agenda.emit(Tick::Log(12));
                    }
                    if n == 11 {
                        world.resource_mut::<Agenda<Tick>>().emit(Tick::Log(13));
                    }
                }
                Tick::Rewind => {
                    world
                        .resource_mut::<Agenda<Tick>>()
                        .schedule(now - 1.0, Tick::Log(7));
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
}
