namespace AlertBot.Core.Persistence;

/// <summary>
/// TRANSITIONAL (issue 12): the union of the store's ports, kept only while consumers move to the narrow interfaces
/// (<see cref="IFeedStore"/>, <see cref="IPollStore"/>, <see cref="IChannelStore"/>, <see cref="IWatchlistStore"/>,
/// <see cref="IOutboxStore"/>, <see cref="IStateStore"/>, <see cref="IStoreMigrator"/>). New code takes the port it
/// needs; this interface is deleted once nothing refers to it.
/// </summary>
public interface IAlertStore : IStoreMigrator, IFeedStore, IPollStore, IChannelStore, IWatchlistStore, IOutboxStore, IStateStore;
