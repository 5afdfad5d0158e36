//! Typed indices into the model's tables (functions, targets, queues, streams, mappings) and the [`Qualifier`] an
//! invocation names (spec 3.2). Every reference in a scenario is resolved to one of these when the model is built.

/// Index of a function in [`Model::functions`](super::Model::functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FnId(pub u32);
/// Index of a target (queue, topic, bus, bucket or function) in [`Model::targets`](super::Model::targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetId(pub u32);

impl FnId {
    /// As an index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl TargetId {
    /// As an index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

/// Index of a queue in [`Esm::queues`](super::Esm::queues).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(pub u32);
/// Index of a stream in [`Esm::streams`](super::Esm::streams).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId(pub u32);
/// Index of a mapping in [`Esm::mappings`](super::Esm::mappings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MappingId(pub u32);

impl QueueId {
    /// As an index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl StreamId {
    /// As an index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl MappingId {
    /// As an index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

/// Which version an invocation names (spec 3.2: `functionArn` in records is qualified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Qualifier {
    /// Unqualified, or `$LATEST`.
    #[default]
    Latest,
    /// A published version: the index of its configuration in [`crate::model::Function::configs`].
    Version(u32),
    /// An alias, by index in [`crate::model::Function::aliases`].
    Alias(u32),
}

impl Qualifier {
    /// A word for the trace digest: 0 for `$LATEST`, so traces without qualifiers keep their digests.
    pub fn word(self) -> u64 {
        match self {
            Qualifier::Latest => 0,
            Qualifier::Version(c) => 1 << 32 | u64::from(c),
            Qualifier::Alias(a) => 2 << 32 | u64::from(a),
        }
    }
}
