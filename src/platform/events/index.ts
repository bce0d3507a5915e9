export { EventEntity } from './event.entity';
export { EventsModule } from './events.module';
export { EventsService, newMessageId, PublishOptions } from './events.service';
