using System.Text;

namespace AlertBot.Core.Commands;

/// <summary>
/// Reads a file a user sent with a command, never more than <see cref="CommandAttachment.MaxBytes"/>: the platform's
/// own size is checked first, and the bytes are counted as they arrive, so a lying size cannot fill the memory.
/// </summary>
public static class AttachmentDownload
{
    /// <param name="declaredSize">The size the platform states, if any.</param>
    /// <param name="download">Writes the file into the stream it is given (Telegram.Bot DownloadFile, an HTTP body).</param>
    public static async Task<CommandAttachment> ReadAsync(
        string fileName, long? declaredSize, Func<Stream, CancellationToken, Task> download, CancellationToken cancellationToken)
    {
        if (declaredSize > CommandAttachment.MaxBytes)
        {
            return new CommandAttachment(fileName, declaredSize.Value, Text: null);
        }

        await using var buffer = new CappedStream(CommandAttachment.MaxBytes);
        try
        {
            await download(buffer, cancellationToken);
        }
        catch (Exception) when (buffer.Overflowed)
        {
            // Whatever the downloader made of the refused write (Telegram.Bot wraps it in its own exception).
            return new CommandAttachment(fileName, CommandAttachment.MaxBytes + 1L, Text: null);
        }

        buffer.Inner.Position = 0;
        using var reader = new StreamReader(buffer.Inner, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return new CommandAttachment(fileName, buffer.Length, await reader.ReadToEndAsync(cancellationToken));
    }

    /// <summary>A write-only memory stream that refuses to grow past its cap.</summary>
    private sealed class CappedStream(int cap) : Stream
    {
        private sealed class FullException : IOException;

        public bool Overflowed { get; private set; }

        public MemoryStream Inner { get; } = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Inner.Length;

        public override long Position
        {
            get => Inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Inner.Length + buffer.Length > cap)
            {
                Overflowed = true;
                throw new FullException();
            }

            Inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
