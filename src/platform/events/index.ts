export { EventEntity } from './event.entity';
export {
  defineEvents,
  event,
  eventCatalogue,
  EventMap,
  EventPayload,
  EventSpec,
  EventType,
  EventTypeDescription,
  isDeclaredEvent,
  PayloadsOf,
} from './event-map';
export { EventsModule } from './events.module';
export { EventsService, newMessageId, PublishOptions } from './events.service';
