using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AlertBot.Testing.Fakes;

/// <summary>One captured log entry: the rendered message and the exception as they would be written.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    /// <summary>Everything a log sink would write for this entry, exception text included.</summary>
    public string Written => Exception is null ? Message : Message + "\n" + Exception;
}

/// <summary>
/// Captures log entries in memory (for one logger or, as a provider, for a whole container) so tests can assert what
/// was logged, wait for a line, and check that no secret was written.
/// </summary>
public sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly string _category;
    private readonly RecordingLogger? _root;
    private event Action<LogEntry>? Logged;

    public RecordingLogger()
        : this("test", null)
    {
    }

    private RecordingLogger(string category, RecordingLogger? root)
    {
        _category = category;
        _root = root;
    }

    public IReadOnlyList<LogEntry> Entries => (_root ?? this)._entries.ToArray();

    /// <summary>All entries as one text, for "never contains" checks.</summary>
    public string AllWritten => string.Join("\n", Entries.Select(e => e.Written));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var root = _root ?? this;
        var entry = new LogEntry(_category, logLevel, eventId, formatter(state, exception), exception);
        root._entries.Enqueue(entry);
        root.Logged?.Invoke(entry);
    }

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, _root ?? this);

    /// <summary>A provider for <c>ILoggingBuilder.AddProvider</c> whose loggers all record here.</summary>
    public ILoggerProvider AsProvider() => new Provider(_root ?? this);

    /// <summary>Completes with the first entry (already logged or to come) that satisfies the condition.</summary>
    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> condition, TimeSpan timeout)
    {
        var root = _root ?? this;
        var found = new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLogged(LogEntry e)
        {
            if (condition(e))
            {
                found.TrySetResult(e);
            }
        }

        root.Logged += OnLogged;
        try
        {
            if (root._entries.FirstOrDefault(condition) is { } existing)
            {
                return existing;
            }

            return await found.Task.WaitAsync(timeout);
        }
        finally
        {
            root.Logged -= OnLogged;
        }
    }

    private sealed class Provider(RecordingLogger root) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => root.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}

/// <summary>A typed view of a <see cref="RecordingLogger"/>, for classes that take <see cref="ILogger{T}"/>.</summary>
public sealed class RecordingLogger<T>(RecordingLogger inner) : ILogger<T>
{
    private readonly ILogger _logger = inner.CreateLogger(typeof(T).Name);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _logger.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _logger.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _logger.Log(logLevel, eventId, state, exception, formatter);
}
