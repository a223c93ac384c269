using AlertBot.Core.Alerts;
using AlertBot.Core.Channels;
using AlertBot.Core.Persistence;
using AlertBot.Core.Summaries;
using AlertBot.Core.Watchlists;

namespace AlertBot.Testing.Fakes;

/// <summary>
/// A hand-written <see cref="IAlertStore"/> in memory, faithful to the interface's doc comments: one lock stands in
/// for the transactions, so every method is atomic and safe to call concurrently.
/// </summary>
public sealed class InMemoryAlertStore : IAlertStore
{
    private readonly Lock _gate = new();
    private readonly List<FeedRecord> _feeds = [];
    private readonly List<Channel> _channels = [];
    private readonly HashSet<(long ChannelId, long FeedId)> _attachments = [];
    private readonly List<WatchTerm> _terms = [];
    private readonly Dictionary<long, HashSet<string>> _seen = [];
    private readonly List<OutboxRow> _outbox = [];
    private readonly Dictionary<string, string> _state = new(StringComparer.Ordinal);
    private long _nextId = 1;
    private long _watchlistVersion;

    private sealed class OutboxRow
    {
        public required OutboxEntry Entry { get; set; }
        public DateTimeOffset? DeliveredAt { get; set; }
        public string? PlatformMessageId { get; set; }
        public string? LastError { get; set; }
        public bool Undeliverable { get; set; }
        public DateTimeOffset? ParkedAt { get; set; }
        public bool Pending => DeliveredAt is null && !Undeliverable;
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // ---- Feeds ---------------------------------------------------------------------------------------------

    public Task<FeedRecord> UpsertFeedAsync(FeedDefinition feed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _feeds.FindIndex(f => f.Url == feed.Url);
            if (index >= 0)
            {
                _feeds[index] = _feeds[index] with { Name = feed.Name, Interval = feed.Interval, Backfill = feed.Backfill };
                return Task.FromResult(_feeds[index]);
            }

            var record = new FeedRecord
            {
                Id = _nextId++,
                Url = feed.Url,
                Name = feed.Name,
                Interval = feed.Interval,
                Backfill = feed.Backfill,
                CreatedAt = now,
            };
            _feeds.Add(record);
            return Task.FromResult(record);
        }
    }

    public Task<bool> DeleteFeedAsync(long feedId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _attachments.RemoveWhere(a => a.FeedId == feedId);
            _seen.Remove(feedId);
            return Task.FromResult(_feeds.RemoveAll(f => f.Id == feedId) > 0);
        }
    }

    public Task<FeedRecord?> GetFeedAsync(long feedId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_feeds.Find(f => f.Id == feedId));
        }
    }

    public Task<FeedRecord?> FindFeedByUrlAsync(string url, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_feeds.Find(f => f.Url == url));
        }
    }

    public Task<IReadOnlyList<FeedRecord>> ListFeedsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<FeedRecord>>([.. _feeds]);
        }
    }

    public Task RecordFeedFailureAsync(long feedId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        UpdateFeed(feedId, f => f with { LastError = reason, ConsecutiveFailures = f.ConsecutiveFailures + 1, LastPolledAt = at });
        return Task.CompletedTask;
    }

    public Task RecordFeedNotModifiedAsync(long feedId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        UpdateFeed(feedId, f => f with { LastError = null, ConsecutiveFailures = 0, LastPolledAt = at, LastSuccessAt = at });
        return Task.CompletedTask;
    }

    private void UpdateFeed(long feedId, Func<FeedRecord, FeedRecord> change)
    {
        lock (_gate)
        {
            var index = _feeds.FindIndex(f => f.Id == feedId);
            if (index >= 0)
            {
                _feeds[index] = change(_feeds[index]);
            }
        }
    }

    // ---- Channels ------------------------------------------------------------------------------------------

    public Task<Channel> EnsureChannelAsync(ChannelRef channel, string? title, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _channels.FindIndex(c => c.Ref == channel);
            if (index < 0)
            {
                var created = new Channel(_nextId++, channel, title, Active: true, Paused: false, now);
                _channels.Add(created);
                return Task.FromResult(created);
            }

            if (title is not null)
            {
                _channels[index] = _channels[index] with { Title = title };
            }

            return Task.FromResult(_channels[index]);
        }
    }

    public Task<Channel?> GetChannelAsync(ChannelRef channel, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_channels.Find(c => c.Ref == channel));
        }
    }

    public Task<Channel?> GetChannelByIdAsync(long channelId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_channels.Find(c => c.Id == channelId));
        }
    }

    public Task<IReadOnlyList<Channel>> ListChannelsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Channel>>([.. _channels]);
        }
    }

    public Task SetChannelActiveAsync(long channelId, bool active, CancellationToken cancellationToken)
    {
        UpdateChannel(channelId, c => c with { Active = active });
        return Task.CompletedTask;
    }

    public Task SetChannelPausedAsync(long channelId, bool paused, CancellationToken cancellationToken)
    {
        UpdateChannel(channelId, c => c with { Paused = paused });
        return Task.CompletedTask;
    }

    public Task MoveChannelAsync(long channelId, ChannelRef newRef, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            UpdateChannel(channelId, c => c with { Ref = newRef });
            foreach (var row in _outbox.Where(r => r.Entry.ChannelId == channelId))
            {
                row.Entry = row.Entry with { Channel = newRef };
            }
        }

        return Task.CompletedTask;
    }

    private void UpdateChannel(long channelId, Func<Channel, Channel> change)
    {
        lock (_gate)
        {
            var index = _channels.FindIndex(c => c.Id == channelId);
            if (index >= 0)
            {
                _channels[index] = change(_channels[index]);
            }
        }
    }

    // ---- Which channel reads which feed --------------------------------------------------------------------

    public Task<bool> AttachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_attachments.Add((channelId, feedId)));
        }
    }

    public Task<bool> DetachFeedAsync(long channelId, long feedId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_attachments.Remove((channelId, feedId)));
        }
    }

    public Task<IReadOnlyList<FeedRecord>> ListChannelFeedsAsync(long channelId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<FeedRecord>>(
                [.. _feeds.Where(f => _attachments.Contains((channelId, f.Id))).OrderBy(f => f.Id)]);
        }
    }

    public Task<IReadOnlyList<long>> ListDeliverableSubscribersAsync(long feedId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<long>>(
                [.. _channels.Where(c => c.Active && !c.Paused && _attachments.Contains((c.Id, feedId))).Select(c => c.Id)]);
        }
    }

    // ---- Watchlists ----------------------------------------------------------------------------------------

    public Task<bool> AddWatchTermAsync(long channelId, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_terms.Exists(t => t.ChannelId == channelId && string.Equals(t.Text, text, StringComparison.OrdinalIgnoreCase)))
            {
                return Task.FromResult(false);
            }

            _terms.Add(new WatchTerm(_nextId++, channelId, text, now));
            _watchlistVersion++;
            return Task.FromResult(true);
        }
    }

    public Task<bool> RemoveWatchTermAsync(long channelId, string text, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var removed = _terms.RemoveAll(t => t.ChannelId == channelId && string.Equals(t.Text, text, StringComparison.OrdinalIgnoreCase));
            if (removed > 0)
            {
                _watchlistVersion++;
            }

            return Task.FromResult(removed > 0);
        }
    }

    public Task<IReadOnlyList<WatchTerm>> ListWatchTermsAsync(long channelId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<WatchTerm>>([.. _terms.Where(t => t.ChannelId == channelId)]);
        }
    }

    public Task<IReadOnlyList<WatchTerm>> ListAllWatchTermsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<WatchTerm>>([.. _terms]);
        }
    }

    public Task<long> GetWatchlistVersionAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_watchlistVersion);
        }
    }

    // ---- Items and the outbox ------------------------------------------------------------------------------

    public Task<IReadOnlySet<string>> FindSeenAsync(long feedId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var seen = _seen.GetValueOrDefault(feedId) ?? [];
            return Task.FromResult<IReadOnlySet<string>>(itemKeys.Where(seen.Contains).ToHashSet(StringComparer.Ordinal));
        }
    }

    public Task<PollCommitResult> CommitPollAsync(PollCommit commit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_seen.TryGetValue(commit.FeedId, out var seen))
            {
                _seen[commit.FeedId] = seen = new HashSet<string>(StringComparer.Ordinal);
            }

            var marked = commit.SeenKeys.Count(seen.Add);
            var enqueued = AddToOutbox(commit.Alerts, commit.At);

            UpdateFeed(commit.FeedId, f => f with
            {
                ETag = commit.Validators.ETag,
                LastModified = commit.Validators.LastModified,
                LastError = null,
                ConsecutiveFailures = 0,
                LastPolledAt = commit.At,
                LastSuccessAt = commit.At,
                BaselineDone = true,
            });
            return Task.FromResult(new PollCommitResult(marked, enqueued));
        }
    }

    public Task<int> EnqueueAsync(IReadOnlyList<NewAlert> alerts, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(AddToOutbox(alerts, at));
        }
    }

    /// <summary>The outbox rule: a (channel, item key) pair already there, delivered or not, is skipped.</summary>
    private int AddToOutbox(IReadOnlyList<NewAlert> alerts, DateTimeOffset at)
    {
        var enqueued = 0;
        foreach (var alert in alerts)
        {
            if (_outbox.Exists(r => r.Entry.ChannelId == alert.ChannelId && r.Entry.ItemKey == alert.ItemKey) ||
                _channels.Find(c => c.Id == alert.ChannelId) is not { } channel)
            {
                continue;
            }

            _outbox.Add(new OutboxRow
            {
                Entry = new OutboxEntry(_nextId++, alert.ChannelId, channel.Ref, alert.ItemKey, alert.Message, 0, at, at),
            });
            enqueued++;
        }

        return enqueued;
    }

    /// <summary>Puts an alert straight into the outbox, as a poll commit would (for delivery tests).</summary>
    public OutboxEntry Enqueue(long channelId, string itemKey, AlertMessage message, DateTimeOffset at)
    {
        lock (_gate)
        {
            var channel = _channels.Find(c => c.Id == channelId) ?? throw new InvalidOperationException($"No channel {channelId}.");
            var entry = new OutboxEntry(_nextId++, channelId, channel.Ref, itemKey, message, 0, at, at);
            _outbox.Add(new OutboxRow { Entry = entry });
            return entry;
        }
    }

    public Task<IReadOnlyList<OutboxEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var result = new List<OutboxEntry>();
            var blocked = new HashSet<long>();
            foreach (var row in _outbox.Where(r => r.Pending).OrderBy(r => r.Entry.Id))
            {
                var channel = _channels.Find(c => c.Id == row.Entry.ChannelId);
                if (channel is not { Active: true } || blocked.Contains(row.Entry.ChannelId))
                {
                    continue;
                }

                if (row.Entry.NextAttemptAt > now)
                {
                    // An older entry waits for a retry: the newer ones of this channel wait behind it.
                    blocked.Add(row.Entry.ChannelId);
                    continue;
                }

                if (result.Count < max)
                {
                    result.Add(row.Entry);
                }
            }

            return Task.FromResult<IReadOnlyList<OutboxEntry>>(result);
        }
    }

    public Task MarkDeliveredAsync(long outboxId, DateTimeOffset at, string? platformMessageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_outbox.Find(r => r.Entry.Id == outboxId) is { } row)
            {
                row.DeliveredAt = at;
                row.PlatformMessageId = platformMessageId;
            }
        }

        return Task.CompletedTask;
    }

    public Task MarkAttemptFailedAsync(long outboxId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_outbox.Find(r => r.Entry.Id == outboxId) is { } row)
            {
                row.LastError = error;
                row.Entry = row.Entry with { Attempts = row.Entry.Attempts + 1, NextAttemptAt = nextAttemptAt };
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> MarkChannelUndeliverableAsync(long channelId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var closed = 0;
            foreach (var row in _outbox.Where(r => r.Entry.ChannelId == channelId && r.Pending))
            {
                row.Undeliverable = true;
                row.LastError = reason;
                closed++;
            }

            return Task.FromResult(closed);
        }
    }

    public Task<bool> ParkAsync(long outboxId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_outbox.Find(r => r.Entry.Id == outboxId) is not { Pending: true } row)
            {
                return Task.FromResult(false);
            }

            row.Undeliverable = true;
            row.ParkedAt = at;
            row.LastError = reason;
            row.Entry = row.Entry with { Attempts = row.Entry.Attempts + 1 };
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<ParkedAlert>> ListParkedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ParkedAlert>>(_outbox
                .Where(r => r.Undeliverable && r.ParkedAt is not null)
                .OrderBy(r => r.ParkedAt).ThenBy(r => r.Entry.Id)
                .Select(r => new ParkedAlert(
                    r.Entry.Id, r.Entry.Channel, r.Entry.ItemKey, r.Entry.Message.Title, r.Entry.Message.Link, r.Entry.Attempts, r.LastError, r.Entry.CreatedAt, r.ParkedAt!.Value))
                .ToList());
        }
    }

    public Task<int> RequeueParkedAsync(long? outboxId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var requeued = 0;
            foreach (var row in _outbox.Where(r => r.Undeliverable && r.ParkedAt is not null && (outboxId is null || r.Entry.Id == outboxId)))
            {
                row.Undeliverable = false;
                row.ParkedAt = null;
                row.Entry = row.Entry with { Attempts = 0, NextAttemptAt = now };
                requeued++;
            }

            return Task.FromResult(requeued);
        }
    }

    public Task<OutboxStats> GetOutboxStatsAsync(long? channelId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var rows = _outbox.Where(r => channelId is null || r.Entry.ChannelId == channelId).ToList();
            var pending = rows.Where(r => r.Pending).ToList();
            return Task.FromResult(new OutboxStats(
                pending.Count,
                pending.Count == 0 ? null : pending.Min(r => r.Entry.CreatedAt),
                rows.Where(r => r.DeliveredAt is not null).Select(r => r.DeliveredAt).Max(),
                rows.Count(r => r.Undeliverable)));
        }
    }

    // ---- Small persistent state ----------------------------------------------------------------------------

    public Task<string?> GetStateAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_state.GetValueOrDefault(key));
        }
    }

    public Task SetStateAsync(string key, string value, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _state[key] = value;
        }

        return Task.CompletedTask;
    }

    /// <summary>Test hook: every state key and value as they stand.</summary>
    public IReadOnlyDictionary<string, string> StateSnapshot()
    {
        lock (_gate)
        {
            return new Dictionary<string, string>(_state, StringComparer.Ordinal);
        }
    }
}
